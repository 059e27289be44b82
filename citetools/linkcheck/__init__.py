"""Checking every cited source's links: what Sphinx's linkcheck saw, mapped back to the .bib.

``citetools.sphinxext.linkcheck_sources`` runs inside Sphinx's ``linkcheck`` builder;
``citetools links`` (``citetools.links``) turns its ``output.json`` into a report about
entries of ``references.bib``. The modules here are shared by both and import no Sphinx,
so a run answered from the cache starts fast.
"""
