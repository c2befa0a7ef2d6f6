"""What the process does once Django has loaded the apps."""

import gc


def test_what_was_loaded_at_start_up_is_left_out_of_the_garbage_collectors_walks():
    # Frozen by the core app once the models were loaded: modules, classes, functions, Django's
    # own state — a full collection no longer walks them.
    assert gc.get_freeze_count() > 10_000
