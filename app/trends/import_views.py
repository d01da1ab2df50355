"""The import pages: upload → map columns and preview → import with a per-row report."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.trends import bp, importing, uploads

FINISHED_IMPORTS = "finished_imports"  # session key: this person's last imported upload tokens


class UploadForm(FlaskForm):
    file = FileField(
        _l("Export file (CSV or JSON)"), validators=[FileRequired(_l("Choose a file to import."))]
    )
    shape = RadioField(
        _l("What is one row?"),
        default="auto",
        choices=[
            ("auto", _l("Detect it from the columns")),
            ("trend", _l("One trend")),
            ("post", _l("One detected post")),
        ],
    )
    source = StringField(
        _l("Source"),
        default="import",
        validators=[DataRequired(), Length(max=100)],
        description=_l("The monitoring tool's name; re-imports from the same source update the same trends."),
    )


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    form = UploadForm()
    limit = current_app.config["COUNTERPOINT_IMPORT_MAX_BYTES"]
    if form.validate_on_submit():
        data = form.file.data.read(limit + 1)
        filename = form.file.data.filename or "upload"
        try:
            table = importing.read_table(data, filename, max_bytes=limit)
        except importing.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            shape = (
                form.shape.data
                if form.shape.data in importing.SHAPES
                else importing.guess_shape(table.columns)
            )
            token = uploads.store(
                data, filename, organisation_id=current_user.organisation_id, user_id=current_user.id
            )
            return redirect(url_for("trends.import_map", token=token, shape=shape, source=form.source.data))
    status = 400 if form.errors else 200
    return render_template("trends/import_upload.html", form=form, limit=limit), status


def _load_table(token: str):
    """The stored upload and its table, or None when it is gone (imported, expired) or not this person's."""
    upload = uploads.load(token, user_id=current_user.id)
    if upload is None or upload.organisation_id != current_user.organisation_id:
        return None
    limit = current_app.config["COUNTERPOINT_IMPORT_MAX_BYTES"]
    return upload, importing.read_table(upload.data, upload.filename, max_bytes=limit)


def _options_from_request(table: importing.Table, shape: str) -> importing.ImportOptions:
    values = request.form if request.method == "POST" else request.args
    remembered = importing.remembered_mapping(current_user.organisation, shape)
    if request.method == "POST":
        mapping = {t: values.get(f"map_{t}", "") for t in importing.targets(shape)}
        mapping = {t: c for t, c in mapping.items() if c}
        group_by = values.get("group_by", "narrative")
    else:
        mapping = importing.suggest_mapping(table.columns, shape, remembered)
        group_by = (remembered or {}).get("__group_by__") or (
            "narrative" if mapping.get("narrative") else "keyword"
        )
    mode = values.get("mode", "all-valid")
    return importing.ImportOptions(
        shape=shape,
        mapping=mapping,
        group_by=group_by if group_by in importing.GROUP_BY else "narrative",
        mode=mode if mode in importing.MODES else "all-valid",
        source=(values.get("source") or "import").strip()[:100] or "import",
    )


@bp.route("/import/<token>", methods=["GET", "POST"])
@login_required
def import_map(token: str):
    loaded = _load_table(token)
    if loaded is None and token in session.get(FINISHED_IMPORTS, []):
        # Back or refresh after importing: the file is gone once imported; say so rather than 404.
        flash(_("This import is finished. The trends board shows what was imported."), "info")
        return redirect(url_for("trends.index"))
    if loaded is None:
        abort(404)
    upload, table = loaded
    values = request.form if request.method == "POST" else request.args
    shape = values.get("shape", "trend")
    shape = shape if shape in importing.SHAPES else "trend"
    options = _options_from_request(table, shape)
    plan = importing.plan_import(current_user.organisation, table, options)
    if request.method == "POST" and request.form.get("action") == "import":
        result = importing.apply_import(
            current_user.organisation, plan, actor=current_user, filename=upload.filename
        )
        importing.remember_mapping(current_user.organisation, shape, options.mapping, options.group_by)
        db.session.commit()
        if result.imported:
            uploads.discard(token)
            session[FINISHED_IMPORTS] = [*session.get(FINISHED_IMPORTS, [])[-9:], token]
            flash(
                _(
                    "Imported: %(created)d new and %(updated)d updated trends.",
                    created=result.created,
                    updated=result.updated,
                ),
                "success",
            )
        else:
            flash(_("Nothing was imported. Fix the mapping or the file and try again."), "error")
        return render_template(
            "trends/import_result.html", result=result, plan=plan, upload=upload, token=token, table=table
        )
    return render_template(
        "trends/import_map.html",
        upload=upload,
        table=table,
        options=options,
        plan=plan,
        targets=importing.targets(shape),
        required=importing.REQUIRED[shape],
        preview_rows=table.rows[:5],
        token=token,
    )
