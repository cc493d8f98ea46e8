"""``puente network``: communities, an entity's links, the path between two, exports."""

from __future__ import annotations

import json

import igraph as ig
import orjson
from followthemoney import model

from tests.cli.test_app import SAMPLES, run, url

__all__ = ["url"]


def test_communities_links_paths_and_exports(url, tmp_path):
    for path, profile in SAMPLES.values():
        run("ingest", str(path), "--profile", profile, "--db", url)
    run("principals", "add", "ana.fgr", "--agency", "MX/FGR", "--role", "analyst", "--db", url)
    run("resolve", "--db", url)
    who = ["--as", "ana.fgr", "--purpose", "carpeta FED/TAM/REY/0001234/2023", "--db", url]
    found = json.loads(run("network", "communities", *who, "--json").stdout)
    assert found and all(c["persons"] >= 2 and c["players"] for c in found)
    table = run("network", "communities", *who, "--lang", "es")
    assert table.exit_code == 0 and "Actores clave" in table.stdout
    links = run("network", "links", "jose luis hernandez gomez", *who)
    assert links.exit_code == 0 and "seized together" in links.stdout and "FGR-TAM-2023-0117" in links.stdout
    spanish = run("network", "links", "jose luis hernandez gomez", *who, "--lang", "es")
    assert "asegurados juntos" in spanish.stdout
    garzas = json.loads(run("network", "find", "ricardo garza", *who, "--json").stdout)
    assert garzas and all(g["label"] == "Ricardo Garza" for g in garzas)
    paths = [
        p
        for g in garzas
        for p in json.loads(
            run("network", "path", "jose luis hernandez gomez", g["id"], *who, "--json").stdout
        )
    ]
    assert paths and len(paths[0]["hops"]) == 2 and paths[0]["nodes"][-1]["label"] == "Ricardo Garza"
    assert all(e["records"] for hop in paths[0]["hops"] for e in hop["edges"])
    unknown = run("network", "links", "nobody of that name", *who)
    assert unknown.exit_code == 1 and "Name one entity" in unknown.stdout
    graphml, ftm = tmp_path / "chart.graphml", tmp_path / "chart.ftm.json"
    assert run("network", "export", "jose luis hernandez gomez", str(graphml), *who).exit_code == 0
    assert run("network", "export", "jose luis hernandez gomez", str(ftm), *who).exit_code == 0
    back = ig.Graph.Read_GraphML(str(graphml))
    assert back.vcount() > 2 and "Ricardo Garza" in back.vs["label"]
    entities = [model.get_proxy(orjson.loads(line)) for line in ftm.read_bytes().splitlines()]
    assert {e.schema.name for e in entities} >= {"Person", "Asset", "UnknownLink"}
    refused = run("network", "communities", "--as", "ana.fgr", "--purpose", " ", "--db", url)
    assert refused.exit_code == 2 and "purpose of use" in refused.output
