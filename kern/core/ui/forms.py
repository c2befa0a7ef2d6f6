"""Form helpers: Bootstrap classes on every widget, and service errors shown next to their field."""

from __future__ import annotations

from typing import Any

from django import forms

from kern.core.exceptions import KernError

__all__ = ["KernForm", "KernFormMixin", "KernModelForm", "apply_errors", "style_form"]


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Give each widget the Bootstrap class it needs and link its help text for screen readers."""
    for name, field in list(form.fields.items()):
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput,)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            css = ""
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.Textarea) and str(widget.attrs.get("rows")) == "10":
            widget.attrs["rows"] = 3  # Django's default of 10 is far too tall
        if field.help_text:
            widget.attrs["aria-describedby"] = f"{form.auto_id % name if form.auto_id else name}_help"
        # form._errors, not form.errors: styling must never run the validation early.
        if form.is_bound and form._errors is not None and name in form._errors:
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
    return form


class KernFormMixin:
    """Styles the widgets; re-styles after errors so invalid fields are marked."""

    template_name = "ui/_form_fields.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_form(self)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        style_form(self)


class KernForm(KernFormMixin, forms.Form):
    pass


class KernModelForm(KernFormMixin, forms.ModelForm):
    pass


def apply_errors(form: forms.BaseForm, exc: KernError) -> None:
    """Put a service's typed error on the form: per field where the form has that field."""
    if exc.errors:
        for field, messages in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message if target else f"{_label(form, field)}{message}")
    else:
        form.add_error(None, exc.message)


def _label(form: forms.BaseForm, field: str) -> str:
    return "" if field in ("__all__", "", None) else f"{field}: "
