"""Generic pages for a model, declared in a few lines: list, detail, create, edit, delete, actions.

    class PartyPages(ui.Resource):
        model = Party
        list_columns = ["number", "name", "email", "is_customer"]
        search_fields = ["name", "number", "email"]
        filters = ["kind", "is_customer", "created_at"]
        form_fields = ["name", "email"]
        create_service = staticmethod(services.create_party)
        update_service = staticmethod(services.update_party)

    urlpatterns = PartyPages().urls()

Every page is company-scoped (request.company; another company's row is a 404), checks the
model's Django permissions (view/add/change/delete, 403 otherwise), and calls services for every
write; a service's KernError becomes a form error next to its field or a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.forms import modelform_factory
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from kern.core import selectors, services
from kern.core.exceptions import KernError
from kern.core.models import AuditEvent, SavedFilter
from kern.core.ui.columns import Column, export_csv, export_xlsx, resolve_columns
from kern.core.ui.columns import select_related_for as _select_related_for
from kern.core.ui.forms import KernModelForm, apply_errors, style_form
from kern.core.ui.registry import document_url, register_document_url, tabs_for
from kern.core.workflow import allowed_transitions

__all__ = ["Action", "Resource", "Tab", "scope_form", "workflow_actions"]

PAGE_SIZES = (25, 50, 100, 200)
EXPORT_LIMIT = 100_000


# --- declarations ---------------------------------------------------------------------------


@dataclass
class Action:
    """A button on the detail page that calls `service(obj, by=user)`.

    With `to`, it is shown only when the document's TRANSITIONS allow its status to go there.
    """

    name: str
    label: Any
    service: Callable[..., Any]
    to: str | None = None
    permission: str | None = None
    style: str = "primary"
    confirm: Any = None  # a question asked before the action runs
    condition: Callable[[Any], bool] | None = None
    success: Any = None

    def available(self, obj: Any, user: Any, default_perm: str | None) -> bool:
        """default_perm None: the resource lets the service decide who may act."""
        perm = self.permission or default_perm
        if perm is not None and not user.has_perm(perm):
            return False
        if self.to is not None and self.to not in allowed_transitions(obj):
            return False
        return self.condition is None or bool(self.condition(obj))


def workflow_actions(
    model: type[Model],
    service_for: dict[str, Callable[..., Any]],
    *,
    labels: dict[str, Any] | None = None,
    permission: str | None = None,
    styles: dict[str, str] | None = None,
    confirm: dict[str, Any] | None = None,
) -> list[Action]:
    """Buttons derived from `model.TRANSITIONS`: one per target status that has a service.

    labels default to the status' label ("Confirmed"); pass verbs ({"confirmed": _("Confirm")}).
    """
    choices = dict(model._meta.get_field("status").flatchoices)
    targets = sorted({to for (_frm, to) in model.TRANSITIONS})
    actions = []
    for to in targets:
        if to not in service_for:
            continue
        actions.append(
            Action(
                name=str(to),
                label=(labels or {}).get(to) or choices.get(to, to),
                service=service_for[to],
                to=to,
                permission=permission,
                style=(styles or {}).get(to, "danger" if "cancel" in str(to) else "primary"),
                confirm=(confirm or {}).get(to),
            )
        )
    return actions


@dataclass
class Tab:
    """Related records on a detail page: `rows(obj, request)` or a related name on the object."""

    key: str
    label: Any
    rows: str | Callable[[Any, HttpRequest], Iterable[Any]]
    columns: list[str | Column] = field(default_factory=list)
    permission: str | None = None
    add_url: Callable[[Any], str] | None = None
    add_label: Any = None
    edit_url: Callable[[Any, Any], str] | None = None  # (parent, row) -> URL
    delete_url: Callable[[Any, Any], str] | None = None
    row_url: Callable[[Any], str] | None = None  # default: the row's registered document page
    limit: int = 100
    template: str = "ui/_tab_table.html"

    def get_rows(self, obj: Any, request: HttpRequest) -> list[Any]:
        rows = self.rows(obj, request) if callable(self.rows) else getattr(obj, self.rows).all()
        if isinstance(rows, QuerySet):
            rows = rows[: self.limit]
        return list(rows)[: self.limit]


def scope_form(form: forms.BaseForm, company: Any) -> forms.BaseForm:
    """Limit every choice of a company-owned model to the user's company."""
    for f in form.fields.values():
        queryset = getattr(f, "queryset", None)
        if queryset is not None and _company_owned(queryset.model):
            f.queryset = queryset.filter(company=company)
    return form


def _company_owned(model: type[Model]) -> bool:
    try:
        company = model._meta.get_field("company")
    except FieldDoesNotExist:
        return False
    return (
        getattr(company, "related_model", None) is not None
        and company.related_model._meta.label == ("core.Company")
        and not company.null
    )


# --- the resource ---------------------------------------------------------------------------


class Resource:
    """All pages of one model. Subclass and set attributes; override hooks where needed."""

    model: type[Model]
    name: str = ""  # URL name stem; default the model name ("party" → "party_list")
    namespace: str = ""  # URL namespace; default the app label
    prefix: str = ""  # path inside the app's URLs ("products/")
    title: Any = None  # plural title; default verbose_name_plural
    # list
    list_columns: list[str | Column] = []
    default_columns: list[str] | None = None  # shown unless the user picks; default all
    search_fields: list[str] = []
    filters: list[str] | type[django_filters.FilterSet] = []
    ordering: list[str] | None = None
    page_size: int = 25
    export: bool = True
    # detail
    detail_fields: list[str | Column] | list[tuple[Any, list[str | Column]]] = []
    tabs: list[Tab] = []
    history: bool = True
    comments: bool = True
    attachments: bool = True
    actions: list[Action] = []
    # forms
    form_class: type[forms.BaseForm] | None = None
    edit_form_class: type[forms.BaseForm] | None = None
    form_fields: list[str] | None = None
    create_service: Callable[..., Any] | None = None  # (company, *, by, **data) -> obj
    update_service: Callable[..., Any] | None = None  # (obj, *, by, **data) -> obj
    delete_service: Callable[..., Any] | None = None  # (obj, *, by) -> None
    # child resources: pages to add/edit/remove rows of a parent (contacts of a party)
    parent: type[Resource] | None = None
    parent_field: str = ""
    parent_tab: str = ""
    child_path: str = ""  # path under the parent's page; default "<model name>s"
    # templates
    list_template = "ui/list.html"
    detail_template = "ui/detail.html"
    form_template = "ui/form.html"
    delete_template = "ui/confirm_delete.html"

    # --- names, permissions, querysets ---

    @property
    def opts(self) -> Any:
        return self.model._meta

    def url_stem(self) -> str:
        return self.name or self.opts.model_name

    def ns(self) -> str:
        return self.namespace or self.opts.app_label

    def url_name(self, page: str) -> str:
        return f"{self.ns()}:{self.url_stem()}_{page}"

    def perm(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def can(self, user: Any, action: str) -> bool:
        return user.has_perm(self.perm(action))

    def action_perm(self) -> str | None:
        """The permission an action needs when it names none; None lets its service decide."""
        return self.perm("change")

    def plural(self) -> Any:
        return self.title or self.opts.verbose_name_plural

    def singular(self) -> Any:
        return self.opts.verbose_name

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        """Rows the user may see: the company's own. Override for shared rows (units, currencies)."""
        qs = self.model._default_manager.all()
        if _company_owned(self.model):
            company = getattr(request, "company", None)
            if company is None:
                return qs.none()
            qs = qs.filter(company=company)
        return qs

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.base_queryset(request)

    def get_object(self, request: HttpRequest, pk: Any) -> Any:
        try:
            return self.get_queryset(request).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404(f"{self.opts.verbose_name} {pk}") from None

    def object_url(self, obj: Any) -> str:
        return reverse(self.url_name("detail"), kwargs={"pk": obj.pk})

    def list_url(self) -> str:
        return reverse(self.url_name("list"))

    def object_title(self, obj: Any) -> str:
        return str(obj)

    # --- list hooks ---

    def columns(self) -> list[Column]:
        cols = resolve_columns(self.model, self.list_columns or ["__str__"])
        if cols and not any(c.link for c in cols):
            cols[0].link = True
        return cols

    def filterset_class(self) -> type[django_filters.FilterSet] | None:
        if isinstance(self.filters, type):
            return self.filters
        if not self.filters:
            return None
        return build_filterset(self.model, list(self.filters))

    def search(self, qs: QuerySet, text: str) -> QuerySet:
        for term in text.split()[:8]:
            condition = Q()
            for name in self.search_fields:
                lookup = (
                    name if "__" in name and name.rsplit("__", 1)[1] in _LOOKUPS else f"{name}__icontains"
                )
                condition |= Q(**{lookup: term})
            qs = qs.filter(condition)
        return qs

    # --- form hooks ---

    def get_form_class(self, obj: Any = None) -> type[forms.BaseForm]:
        if obj is not None and self.edit_form_class is not None:
            return self.edit_form_class
        if self.form_class is not None:
            return self.form_class
        return modelform_factory(self.model, form=KernModelForm, fields=self.form_fields or "__all__")

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form_class = self.get_form_class(obj)
        kwargs: dict[str, Any] = {"data": data, "files": files}
        if issubclass(form_class, forms.ModelForm):
            instance = obj
            if instance is None:
                instance = self.model()
                if _company_owned(self.model) and getattr(request, "company", None) is not None:
                    instance.company = request.company
            kwargs["instance"] = instance
        form = form_class(**kwargs)
        scope_form(form, getattr(request, "company", None))
        style_form(form)
        return form

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        """The keyword arguments for the service: the cleaned form, without form-only fields."""
        return dict(form.cleaned_data)

    def warnings(self, request: HttpRequest, form: Any, obj: Any = None) -> list[str]:
        """Things the user should confirm before saving (a likely duplicate); none by default."""
        return []

    def create(self, request: HttpRequest, data: dict[str, Any], parent: Any = None) -> Any:
        if self.create_service is None:
            raise DjangoPermissionDenied
        if parent is not None:
            return self.create_service(parent, by=request.user, **data)
        return self.create_service(request.company, by=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
        if self.update_service is None:
            raise DjangoPermissionDenied
        return self.update_service(obj, by=request.user, **data)

    def delete(self, request: HttpRequest, obj: Any) -> None:
        if self.delete_service is None:
            raise DjangoPermissionDenied
        self.delete_service(obj, by=request.user)

    # --- detail hooks ---

    def detail_sections(self, obj: Any) -> list[tuple[Any, list[tuple[Any, str, str]]]]:
        """[(title, [(label, text, url)])] for the field panel."""
        spec = self.detail_fields or [
            f.name
            for f in self.opts.concrete_fields
            if not f.primary_key and f.name not in ("company",) and f.editable
        ]
        sections = spec if spec and isinstance(spec[0], tuple) else [("", spec)]
        out = []
        for title, names in sections:
            rows = []
            for col in resolve_columns(self.model, names):
                value = col.get(obj)
                url = document_url(value) if isinstance(value, Model) else ""
                rows.append((col.label, col.format(value, obj), url))
            out.append((title, rows))
        return out

    def get_tabs(self, request: HttpRequest) -> list[Tab]:
        tabs = [*self.tabs, *tabs_for(self.opts.label_lower)]
        return [t for t in tabs if t.permission is None or request.user.has_perm(t.permission)]

    def history_events(self, obj: Any) -> QuerySet:
        return AuditEvent.objects.filter(model=self.opts.label_lower, object_id=str(obj.pk)).order_by("-id")

    # --- URLs ---

    def pk_converter(self) -> str:
        return "int" if self.opts.pk.get_internal_type() in {"AutoField", "BigAutoField"} else "str"

    def urls(self) -> list:
        """The URL patterns of every page this resource offers; include them in the app's urls.py."""
        stem, pre, pk = self.url_stem(), self.prefix, f"<{self.pk_converter()}:pk>"
        kw = {"resource": self}
        if self.parent is not None:
            base = f"{pre}<int:parent_pk>/{self.child_path or self.opts.model_name + 's'}/"
            patterns = [
                path(f"{base}new/", CreatePage.as_view(**kw), name=f"{stem}_create"),
                path(f"{base}{pk}/edit/", EditPage.as_view(**kw), name=f"{stem}_edit"),
            ]
            if self.delete_service is not None:
                patterns.append(path(f"{base}{pk}/delete/", DeletePage.as_view(**kw), name=f"{stem}_delete"))
            return patterns
        register_document_url(self.opts.label_lower, self.url_name("detail"))
        patterns = [
            path(f"{pre}", ListPage.as_view(**kw), name=f"{stem}_list"),
            path(f"{pre}saved-filters/", SavedFilterPage.as_view(**kw), name=f"{stem}_savedfilter"),
        ]
        if self.create_service is not None:
            patterns.append(path(f"{pre}new/", CreatePage.as_view(**kw), name=f"{stem}_create"))
        patterns += [
            path(f"{pre}{pk}/", DetailPage.as_view(**kw), name=f"{stem}_detail"),
        ]
        if self.actions:
            patterns.append(
                path(f"{pre}{pk}/do/<slug:action>/", ActionPage.as_view(**kw), name=f"{stem}_action")
            )
        if self.comments:
            patterns.append(path(f"{pre}{pk}/comments/", CommentPage.as_view(**kw), name=f"{stem}_comment"))
        if self.attachments:
            patterns += [
                path(
                    f"{pre}{pk}/attachments/<int:attachment>/",
                    AttachmentPage.as_view(**kw),
                    name=f"{stem}_attachment",
                ),
                path(f"{pre}{pk}/attachments/", AttachmentPage.as_view(**kw), name=f"{stem}_attach"),
            ]
        if self.update_service is not None:
            patterns.append(path(f"{pre}{pk}/edit/", EditPage.as_view(**kw), name=f"{stem}_edit"))
        if self.delete_service is not None:
            patterns.append(path(f"{pre}{pk}/delete/", DeletePage.as_view(**kw), name=f"{stem}_delete"))
        return patterns


_LOOKUPS = {"iexact", "exact", "istartswith", "startswith", "icontains", "contains"}


def build_filterset(model: type[Model], names: list[str]) -> type[django_filters.FilterSet]:
    """A FilterSet for the named fields: date ranges for dates, yes/no for booleans, choices."""
    attrs: dict[str, Any] = {}
    plain = []
    for name in names:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            plain.append(name)
            continue
        kind = f.get_internal_type()
        if kind in {"DateField", "DateTimeField"}:
            attrs[name] = django_filters.DateFromToRangeFilter(
                field_name=name,
                label=f.verbose_name,
                widget=django_filters.widgets.RangeWidget(attrs={"type": "date"}),
            )
        elif kind == "BooleanField":
            attrs[name] = django_filters.BooleanFilter(
                field_name=name,
                label=f.verbose_name,
                widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
            )
        elif kind in {"CharField", "TextField", "EmailField"} and not f.choices:
            attrs[name] = django_filters.CharFilter(
                field_name=name, lookup_expr="icontains", label=f.verbose_name
            )
        elif f.many_to_many:
            attrs[name] = django_filters.ModelChoiceFilter(
                field_name=name, queryset=f.related_model._default_manager.all(), label=f.verbose_name
            )
        else:
            plain.append(name)
    meta = type("Meta", (), {"model": model, "fields": plain})
    attrs["Meta"] = meta
    return type(f"{model.__name__}FilterSet", (django_filters.FilterSet,), attrs)


# --- views ----------------------------------------------------------------------------------


class ResourceView(LoginRequiredMixin, View):
    resource: Resource = None  # type: ignore[assignment]
    action_name = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.resource.can(request.user, self.action_name):
            raise DjangoPermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request: HttpRequest, template: str, context: dict[str, Any], **kw: Any) -> HttpResponse:
        context.setdefault("resource", self.resource)
        context.setdefault("opts", self.resource.opts)
        return render(request, template, context, **kw)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class ListPage(ResourceView):
    def get(self, request: HttpRequest) -> HttpResponse:
        r = self.resource
        all_columns = r.columns()
        by_name = {c.name: c for c in all_columns}
        chosen = [n for n in request.GET.getlist("cols") if n in by_name]
        if not chosen:
            chosen = [n for n in (r.default_columns or list(by_name)) if n in by_name]
        columns = [by_name[n] for n in chosen]
        if not any(c.link for c in columns) and columns:
            columns[0] = Column(**{**columns[0].__dict__, "link": True})
        qs = r.get_queryset(request)
        related = _select_related_for(r.model, all_columns)
        if related:
            qs = qs.select_related(*related)
        text = request.GET.get("q", "").strip()
        if text and r.search_fields:
            qs = r.search(qs, text)
        filterset = None
        fs_class = r.filterset_class()
        if fs_class is not None:
            filterset = fs_class(request.GET or None, queryset=qs, request=request)
            scope_form(filterset.form, getattr(request, "company", None))
            style_form(filterset.form)
            if filterset.is_bound and filterset.is_valid():
                qs = filterset.qs
            elif filterset.is_bound:
                qs = qs.none()
        sort = request.GET.get("sort", "")
        sort_col = by_name.get(sort.lstrip("-"))
        if sort_col is not None and sort_col.sortable:
            key = sort_col.sort_by or sort_col.name
            qs = qs.order_by(f"-{key}" if sort.startswith("-") else key, "-pk")
        elif r.ordering:
            qs = qs.order_by(*r.ordering)
        elif not qs.ordered:
            qs = qs.order_by("-pk")
        export = request.GET.get("export")
        if export in {"csv", "xlsx"} and r.export:
            return self.export(request, columns, qs, export)
        try:
            per_page = int(request.GET.get("per_page", r.page_size))
        except ValueError:
            per_page = r.page_size
        per_page = per_page if per_page in PAGE_SIZES else r.page_size
        page = Paginator(qs, per_page).get_page(request.GET.get("page"))
        rows = [
            (obj, [(col, col.display(obj), r.object_url(obj) if col.link else "") for col in columns])
            for obj in page.object_list
        ]
        keep = request.GET.copy()
        for drop in ("page", "export", "_"):
            keep.pop(drop, None)
        company = getattr(request, "company", None)
        saved = (
            SavedFilter.objects.filter(user=request.user, company=company, list_key=r.url_name("list"))
            if company is not None
            else SavedFilter.objects.none()
        )
        context = {
            "title": r.plural(),
            "columns": columns,
            "all_columns": all_columns,
            "chosen": chosen,
            "rows": rows,
            "page": page,
            "q": text,
            "sort": sort,
            "filterset": filterset,
            "query": keep.urlencode(),
            "saved_filters": list(saved),
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "can_add": r.create_service is not None and r.can(request.user, "add"),
            "create_url": reverse(r.url_name("create")) if r.create_service is not None else "",
            "savedfilter_url": reverse(r.url_name("savedfilter")),
            "list_url": r.list_url(),
        }
        if request.htmx and request.htmx.target == "list-results":
            return self.render(request, "ui/_list_results.html", context)
        return self.render(request, r.list_template, context)

    def export(self, request: HttpRequest, columns: list[Column], qs: QuerySet, fmt: str) -> HttpResponse:
        rows = qs[:EXPORT_LIMIT].iterator(chunk_size=2000)
        stem = f"{self.resource.url_stem()}-{dt.date.today().isoformat()}"
        if fmt == "csv":
            body = export_csv(columns, rows)
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        else:
            body = export_xlsx(columns, rows, title=str(self.resource.plural()))
            response = HttpResponse(
                body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response


class SavedFilterPage(ResourceView):
    def post(self, request: HttpRequest) -> HttpResponse:
        r = self.resource
        list_url = r.list_url()
        company = getattr(request, "company", None)
        if company is None:
            raise Http404
        remove = request.POST.get("remove")
        if remove:
            saved = SavedFilter.objects.filter(
                pk=remove if remove.isdigit() else 0, user=request.user, company=company
            ).first()
            if saved is None:
                raise Http404
            services.remove_saved_filter(saved, by=request.user)
            messages.success(request, gettext("The saved filter was removed."))
            return HttpResponseRedirect(list_url)
        query = request.POST.get("query", "")
        try:
            services.save_list_filter(
                request.user,
                company,
                list_key=r.url_name("list"),
                name=request.POST.get("name", ""),
                query=query,
                columns=[c for c in query.split("&") if c.startswith("cols=")],
            )
        except KernError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("The filter was saved."))
        return HttpResponseRedirect(f"{list_url}?{query}" if query else list_url)


class DetailPage(ResourceView):
    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        r = self.resource
        obj = r.get_object(request, pk)
        tabs = r.get_tabs(request)
        keys = [t.key for t in tabs] + (["history"] if r.history else [])
        active = request.GET.get("tab") or (keys[0] if keys else "")
        if active not in keys:
            active = keys[0] if keys else ""
        tab = next((t for t in tabs if t.key == active), None)
        tab_rows = []
        tab_columns: list[Column] = []
        if tab is not None:
            rows = tab.get_rows(obj, request)
            model = type(rows[0]) if rows else None
            tab_columns = resolve_columns(model, tab.columns) if model is not None else []
            for row in rows:
                url = tab.row_url(row) if tab.row_url else document_url(row)
                tab_rows.append(
                    {
                        "cells": [(c, c.display(row)) for c in tab_columns],
                        "url": url,
                        "edit_url": tab.edit_url(obj, row) if tab.edit_url else "",
                        "delete_url": tab.delete_url(obj, row) if tab.delete_url else "",
                    }
                )
        events = list(r.history_events(obj)[:50]) if r.history and active == "history" else []
        field_labels = {f.attname: f.verbose_name for f in r.opts.concrete_fields}
        field_labels.update({f.name: f.verbose_name for f in r.opts.concrete_fields})
        timeline = [
            {
                "event": e,
                "changes": [
                    (field_labels.get(k, k), _short(v[0]), _short(v[1]))
                    for k, v in (e.changes or {}).items()
                    if isinstance(v, list) and len(v) == 2
                ],
            }
            for e in events
        ]
        actions = [a for a in r.actions if a.available(obj, request.user, r.action_perm())]
        context = {
            "title": r.object_title(obj),
            "object": obj,
            "sections": r.detail_sections(obj),
            "tabs": tabs,
            "active_tab": active,
            "tab": tab,
            "tab_columns": tab_columns,
            "tab_rows": tab_rows,
            "tab_add_url": tab.add_url(obj) if tab is not None and tab.add_url else "",
            "show_history": r.history,
            "timeline": timeline,
            "actions": actions,
            "comments": list(selectors.comments_on(obj)[:100]) if r.comments else None,
            "attachments": list(selectors.attachments_on(obj)[:100]) if r.attachments else None,
            "can_edit": r.update_service is not None and r.can(request.user, "change"),
            "can_delete": r.delete_service is not None and r.can(request.user, "delete"),
            "edit_url": reverse(r.url_name("edit"), kwargs={"pk": obj.pk}) if r.update_service else "",
            "delete_url": reverse(r.url_name("delete"), kwargs={"pk": obj.pk}) if r.delete_service else "",
            "list_url": r.list_url(),
        }
        if request.htmx and request.htmx.target == "tab-panel":
            return self.render(request, "ui/_tab_panel.html", context)
        return self.render(request, r.detail_template, context)


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 120 else text[:117] + "…"


class _FormPage(ResourceView):
    def parent_object(self, request: HttpRequest, kwargs: dict[str, Any]) -> Any:
        r = self.resource
        if r.parent is None:
            return None
        parent_resource = r.parent()
        if not parent_resource.can(request.user, "view"):
            raise DjangoPermissionDenied
        return parent_resource.get_object(request, kwargs["parent_pk"])

    def object_for(self, request: HttpRequest, kwargs: dict[str, Any], parent: Any) -> Any:
        r = self.resource
        if "pk" not in kwargs:
            return None
        qs = r.get_queryset(request)
        if parent is not None:
            qs = qs.filter(**{r.parent_field: parent})
        try:
            return qs.get(pk=kwargs["pk"])
        except (r.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None

    def done_url(self, obj: Any, parent: Any) -> str:
        r = self.resource
        if parent is not None:
            base = r.parent().object_url(parent)
            return f"{base}?tab={r.parent_tab}" if r.parent_tab else base
        return r.object_url(obj)

    def context(self, request: HttpRequest, form: Any, obj: Any, parent: Any, warnings: list[str]) -> dict:
        r = self.resource
        if obj is not None:
            title = gettext("Edit %(name)s") % {"name": r.object_title(obj)}
        else:
            title = gettext("New %(model)s") % {"model": r.singular()}
        cancel = self.done_url(obj, parent) if (obj is not None or parent is not None) else r.list_url()
        return {
            "title": title,
            "form": form,
            "object": obj,
            "parent": parent,
            "warnings": warnings,
            "cancel_url": cancel,
        }

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        parent = self.parent_object(request, kwargs)
        obj = self.object_for(request, kwargs, parent)
        form = self.resource.get_form(request, obj)
        return self.render(request, self.resource.form_template, self.context(request, form, obj, parent, []))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        r = self.resource
        parent = self.parent_object(request, kwargs)
        obj = self.object_for(request, kwargs, parent)
        form = r.get_form(request, obj, data=request.POST, files=request.FILES)
        warnings: list[str] = []
        if form.is_valid():
            warnings = r.warnings(request, form, obj)
            if not warnings or request.POST.get("confirm_warnings"):
                try:
                    data = r.service_data(request, form, obj)
                    saved = (
                        r.update(request, obj, data) if obj is not None else r.create(request, data, parent)
                    )
                except KernError as exc:
                    apply_errors(form, exc)
                    warnings = []
                else:
                    what = r.object_title(saved) if saved is not None else r.singular()
                    messages.success(request, gettext("%(name)s was saved.") % {"name": what})
                    return HttpResponseRedirect(self.done_url(saved, parent))
        status = 422 if form.errors else 200
        context = self.context(request, form, obj, parent, warnings)
        return self.render(request, r.form_template, context, status=status)


class CreatePage(_FormPage):
    action_name = "add"


class EditPage(_FormPage):
    action_name = "change"


class DeletePage(_FormPage):
    action_name = "delete"

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        parent = self.parent_object(request, kwargs)
        obj = self.object_for(request, kwargs, parent)
        context = {"title": gettext("Delete %(name)s") % {"name": self.resource.object_title(obj)}}
        context |= {"object": obj, "cancel_url": self.done_url(obj, parent)}
        return self.render(request, self.resource.delete_template, context)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        r = self.resource
        parent = self.parent_object(request, kwargs)
        obj = self.object_for(request, kwargs, parent)
        name = r.object_title(obj)
        try:
            r.delete(request, obj)
        except KernError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(self.done_url(obj, parent))
        messages.success(request, gettext("%(name)s was deleted.") % {"name": name})
        return HttpResponseRedirect(self.done_url(obj, parent) if parent is not None else r.list_url())


class ActionPage(ResourceView):
    def post(self, request: HttpRequest, pk: Any, action: str) -> HttpResponse:
        r = self.resource
        obj = r.get_object(request, pk)
        found = next((a for a in r.actions if a.name == action), None)
        if found is None:
            raise Http404
        perm = found.permission or r.action_perm()
        if perm is not None and not request.user.has_perm(perm):
            raise DjangoPermissionDenied
        # No state check here: the service's transition guard refuses, and its message is shown.
        try:
            found.service(obj, by=request.user)
        except KernError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, str(found.success or gettext("Done: %(action)s") % {"action": found.label})
            )
        return HttpResponseRedirect(r.object_url(obj))


class CommentPage(ResourceView):
    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        r = self.resource
        obj = r.get_object(request, pk)
        remove = request.POST.get("remove", "")
        try:
            if remove:
                comment = selectors.comments_on(obj).filter(pk=remove if remove.isdigit() else 0).first()
                if comment is None:
                    raise Http404
                services.remove_comment(comment, by=request.user)
            else:
                services.add_comment(obj, body=request.POST.get("body", ""), by=request.user)
        except KernError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(r.object_url(obj) + "#comments")


class AttachmentPage(ResourceView):
    def get(self, request: HttpRequest, pk: Any, attachment: int | None = None) -> HttpResponse:
        obj = self.resource.get_object(request, pk)
        found = selectors.attachments_on(obj).filter(pk=attachment or 0).first()
        if found is None:
            raise Http404
        try:
            handle = found.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle, as_attachment=True, filename=found.filename, content_type=found.content_type or None
        )

    def post(self, request: HttpRequest, pk: Any, attachment: int | None = None) -> HttpResponse:
        r = self.resource
        obj = r.get_object(request, pk)
        try:
            if attachment:
                found = selectors.attachments_on(obj).filter(pk=attachment).first()
                if found is None:
                    raise Http404
                services.remove_attachment(found, by=request.user)
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    messages.error(request, gettext("Choose a file to attach."))
                else:
                    services.add_attachment(obj, file=upload, by=request.user)
        except KernError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(r.object_url(obj) + "#attachments")


def querystring(params: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
