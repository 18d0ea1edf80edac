"""Views of the learned sentence reader: what a training run fitted and how well it reads."""

from __future__ import annotations

from typing import Any, TextIO

from engine.render.screen import console


def reader_text(r: dict[str, Any], out: TextIO) -> None:
    from rich.markup import escape

    con = console(out)
    con.print(
        f"reader of {r['pack']}: {r['features']} features from {r['rows_used']} labelled sentences "
        f"({r['counts']['groups']} groups) in {len(r['label_files'])} label file(s)"
    )
    if r["rows_without_text"] or r["rows_not_found_in_text"]:
        con.print(
            f"[yellow]{r['rows_without_text']} label row(s) have no text in the folders given "
            f"({len(r['texts_missing'])} text(s) missing), {r['rows_not_found_in_text']} were not found in their text[/]"
        )
    cv = r.get("leave_one_group_out")
    if cv:
        con.print(
            f"leave-one-group-out ({cv['groups']} groups): polarity {cv['polarity_percent']}% · "
            f"category {cv['category_percent']}% · intensity {cv['intensity_percent']}% (of sentences read as findings)"
        )
        con.print(
            "  polarity by class: "
            + ", ".join(f"{c} {v['percent']}% of {v['n']}" for c, v in cv["polarity_by_class"].items())
        )
        con.print(
            "  category by class: "
            + ", ".join(f"{c} {v['percent']}% of {v['n']}" for c, v in cv["category_by_class"].items())
        )
        for f, v in (cv.get("by_label_file") or {}).items():
            con.print(
                f"  {escape(f)}: {v['sentences']} sentences, polarity {v['polarity_percent']}%, category {v['category_percent']}%"
            )
    if r.get("written"):
        con.print(f"wrote {escape(r['written'])}")
