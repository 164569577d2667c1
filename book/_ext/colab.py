"""The {colab}`NN_name` role: an "Open in Colab" badge for exercises/NN_name.ipynb.

The link opens the exercise from the public student repository, `zth:
release_repository` (and `release_branch`) in the book's _config.yml: the same
place the exercise notebooks' own badges come from (autograder/build.py), so one
edit moves both.
"""
from pathlib import Path

import yaml
from docutils import nodes


def release(srcdir) -> tuple[str, str]:
    """(OWNER/NAME, branch) of the student repository, from srcdir/_config.yml."""
    cfg = yaml.safe_load((Path(srcdir) / "_config.yml").read_text(encoding="utf-8")) or {}
    zth = cfg.get("zth") or {}
    repo = str(zth.get("release_repository") or "").strip().strip("/")
    if repo.count("/") != 1:
        raise ValueError(f"{srcdir}/_config.yml: zth: release_repository must be OWNER/NAME")
    return repo, str(zth.get("release_branch") or "main")


def colab_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    repo, branch = inliner.document.settings.env.config.zth_release
    url = f"https://colab.research.google.com/github/{repo}/blob/{branch}/exercises/{text}.ipynb"
    ref = nodes.reference(rawtext, f"Open the {text} exercise in Colab", refuri=url,
                          classes=["colab-badge"])
    return [ref], []


def _read_config(app, config):
    config.zth_release = release(app.srcdir)


def setup(app):
    # a config value, so that changing the repository re-reads every page
    app.add_config_value("zth_release", None, "env")
    app.connect("config-inited", _read_config)
    app.add_role("colab", colab_role)
    app.add_css_file("colab.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
