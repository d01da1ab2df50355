"""`flask --app wsgi trends import FILE --org SLUG [...]`: import with a row-level report."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Organisation
from app.extensions import db
from app.trends import importing

trends_cli = AppGroup("trends", help="Trends: import monitoring exports.")


@trends_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_slug", required=True, help="Organisation short name (slug).")
@click.option(
    "--shape", type=click.Choice(importing.SHAPES), help="One row per trend or per post (default: guessed)."
)
@click.option(
    "--group-by", type=click.Choice(importing.GROUP_BY), help="Post files: group posts into trends by."
)
@click.option("--mode", type=click.Choice(importing.MODES), default="none-if-errors", show_default=True)
@click.option("--source", default="import", show_default=True, help="The monitoring tool's name.")
@click.option("--map", "overrides", multiple=True, metavar="FIELD=COLUMN", help="Map a field to a column.")
def import_command(
    file: Path,
    org_slug: str,
    shape: str | None,
    group_by: str | None,
    mode: str,
    source: str,
    overrides: tuple[str, ...],
) -> None:
    """Import a CSV or JSON file; nothing is half-imported."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise click.ClickException(f"No organisation with the short name '{org_slug}'.")
    size = file.stat().st_size
    limit = current_app.config["COUNTERPOINT_IMPORT_MAX_BYTES"]
    data = file.read_bytes() if size <= limit else b"\0" * (limit + 1)
    try:
        table = importing.read_table(data, file.name, max_bytes=limit)
    except importing.ImportFileError as error:
        raise click.ClickException(str(error)) from error
    shape = shape or importing.guess_shape(table.columns)
    remembered = importing.remembered_mapping(org, shape)
    mapping = importing.suggest_mapping(table.columns, shape, remembered)
    for override in overrides:
        target, _sep, column = override.partition("=")
        mapping[target.strip()] = column.strip()
    group = (
        group_by
        or (remembered or {}).get("__group_by__")
        or ("narrative" if mapping.get("narrative") else "keyword")
    )
    options = importing.ImportOptions(shape=shape, mapping=mapping, group_by=group, mode=mode, source=source)
    plan = importing.plan_import(org, table, options)
    result = importing.apply_import(org, plan, actor=None, via="cli", filename=file.name)
    if result.imported:
        importing.remember_mapping(org, shape, mapping, group)
    db.session.commit()
    _report(plan, result, mapping)
    if not result.imported:
        raise SystemExit(1)


def _report(plan: importing.ImportPlan, result: importing.ImportResult, mapping: dict[str, str]) -> None:
    click.echo(
        f"Shape: {plan.options.shape}; mapping: " + ", ".join(f"{t}={c}" for t, c in mapping.items() if c)
    )
    click.echo(f"Rows: {plan.total_rows}; valid: {plan.valid_rows}; with errors: {len(plan.error_rows)}")
    for error in plan.errors:
        where = f"row {error.row}" if error.row else "file"
        column = f", column '{error.column}'" if error.column else ""
        click.echo(f"  {where}{column}: {error.message}")
    if result.imported:
        click.echo(
            f"Imported: {result.created} new trends, {result.updated} updated, "
            f"{result.evidence_added} evidence posts, {result.observations_set} daily counts."
        )
    elif plan.errors and plan.options.mode == "none-if-errors":
        click.echo("Nothing imported: fix the rows above, or use --mode all-valid to import the valid rows.")
    else:
        click.echo("Nothing imported.")
