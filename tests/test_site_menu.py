"""site_menu gives every page the menu furo would give it, rendered once per directory."""

import pytest

from citetools.sphinxext import site_menu


@pytest.fixture
def compared(monkeypatch):
    """Each page's menu from site_menu, and furo's own, while the build runs."""
    menus = {}
    for_page = site_menu._Menus.for_page

    def both(self, pagename, toctree):
        menus[pagename] = (for_page(self, pagename, toctree), site_menu.furo_menu(toctree))
        return menus[pagename][0]

    monkeypatch.setattr(site_menu._Menus, "for_page", both)
    return menus


@pytest.mark.sphinx("html", testroot="site-menu")
def test_every_page_gets_furos_menu(app, compared):
    app.build()
    assert app.warning.getvalue() == ""
    fast = {page for page, (ours, _) in compared.items() if ours is not None}
    # Every page in the menu; the root, search and index pages are not in it.
    assert fast == {
        "one",
        "last",
        "guide/index",
        "guide/first",
        "guide/second",
        "guide/deep/index",
        "guide/deep/leaf",
    }
    for page in fast:
        ours, furos = compared[page]
        assert ours == furos, page
    leaf = compared["guide/deep/leaf"][0]
    assert 'class="toctree-l3 current current-page"' in leaf
    assert leaf.count("checked") == 2  # its two ancestors are open


@pytest.mark.sphinx("html", testroot="site-menu")
def test_a_menu_unlike_furos_switches_it_off(app, monkeypatch):
    monkeypatch.setattr(site_menu._Menu, "marked", lambda self, href: "<ul></ul>")
    app.build()
    warnings = app.warning.getvalue().strip().splitlines()
    assert len(warnings) == 1
    assert "site_menu is switched off" in warnings[0]
    leaf = (app.outdir / "guide" / "deep" / "leaf.html").read_text()
    assert 'class="toctree-l3 current current-page"' in leaf
