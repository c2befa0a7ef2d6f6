def register_ui() -> None:
    pass
