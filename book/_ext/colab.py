"""The {colab}`NN_name` role: an "Open in Colab" badge for exercises/NN_name.ipynb.

The link is made from `repository.url` and `repository.branch` in _config.yml, the
same place the exercise notebooks' own badges come from, so one edit moves both.
"""
from docutils import nodes


def colab_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    cfg = inliner.document.settings.env.config
    opts = cfg.html_theme_options or {}
    repo = opts.get("repository_url", "").rstrip("/").removeprefix("https://github.com/")
    branch = opts.get("repository_branch", "main") or "main"
    url = f"https://colab.research.google.com/github/{repo}/blob/{branch}/exercises/{text}.ipynb"
    ref = nodes.reference(rawtext, f"Open the {text} exercise in Colab", refuri=url,
                          classes=["colab-badge"])
    return [ref], []


def setup(app):
    app.add_role("colab", colab_role)
    app.add_css_file("colab.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
