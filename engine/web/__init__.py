"""The local explorer (`rederive serve`): the same library functions the commands call, in a
browser, with a JSON API that answers what the commands print with `--format json`.

- `served`: the set of cases served (by id, never by a path from a request) and the
  workspace that uploaded reports are extracted into;
- `api`: the JSON routes; `pages`: the HTML pages, rendered from templates that escape
  everything they show;
- `app`: the application, its safety checks (loopback by default, Host and Origin checked,
  bounded request bodies) and the server.
"""
