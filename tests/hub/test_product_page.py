"""Variants, batch tracking, shelf life and slugs on the catalog master, and the
public product page a label's fallback URL opens."""

from __future__ import annotations

from tests.hub.harness import API, Hub, ok


def test_variants_and_batch_fields_reach_the_snapshot(hub: Hub) -> None:
    org = hub.org()
    small = hub.product(
        org,
        name="Parle-G 250 g",
        variant_group="PARLE-G",
        variant="250 g",
        batch_tracked=True,
        shelf_life_days=180,
    )
    large = hub.product(org, name="Parle-G 800 g", variant_group="PARLE-G", variant="800 g")
    assert (small["variant_group"], small["variant"]) == ("PARLE-G", "250 g")
    assert (small["batch_tracked"], small["shelf_life_days"]) == (True, 180)
    assert (large["batch_tracked"], large["shelf_life_days"]) == (False, None)
    snapshot = ok(hub.get(f"/orgs/{org['org_id']}/catalog/snapshot"))
    by_sku = {p["sku"]: p for p in snapshot["products"]}
    assert by_sku[small["sku"]]["variant"] == "250 g"
    assert by_sku[small["sku"]]["slug"] == small["slug"]
    changed = ok(
        hub.client.patch(
            f"{API}/orgs/{org['org_id']}/products/{large['product_id']}",
            json={"batch_tracked": True, "shelf_life_days": 365, "variant": "800 g pack"},
        )
    )
    assert (changed["batch_tracked"], changed["shelf_life_days"]) == (True, 365)
    assert changed["version"] > large["version"]
    refused = hub.client.patch(
        f"{API}/orgs/{org['org_id']}/products/{large['product_id']}",
        json={"shelf_life_days": 0},
    )
    assert refused.status_code == 422


def test_slugs_are_unique_in_the_org_and_survive_a_rename(hub: Hub) -> None:
    org = hub.org()
    first = hub.product(org, name="Tata Salt 1 kg", sku="SALT-1")
    second = hub.product(org, name="Tata Salt 1 kg", sku="SALT-2")
    assert first["slug"] == "tata-salt-1-kg"
    assert second["slug"] == "tata-salt-1-kg-salt-2"
    renamed = ok(
        hub.client.patch(
            f"{API}/orgs/{org['org_id']}/products/{first['product_id']}",
            json={"name": "Tata Salt Lite 1 kg"},
        )
    )
    assert renamed["slug"] == first["slug"]  # printed labels keep working
    other = hub.org()
    assert hub.product(other, name="Tata Salt 1 kg")["slug"] == "tata-salt-1-kg"


def test_the_public_page_shows_the_label_and_nothing_more(hub: Hub) -> None:
    org = hub.org(name="Gupta Kirana Dadar")
    product = hub.product(org, name="Amul Butter 500 g", price=28500, mrp=29000)
    url = f"/p/{org['slug']}/{product['slug']}"
    page = hub.client.get(url, headers={"Authorization": ""})  # anyone, signed in or not
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    for shown in ("Amul Butter 500 g", "Gupta Kirana Dadar", "₹285.00", "₹290.00"):
        assert shown in page.text
    assert product["product_id"] not in page.text

    ok(
        hub.client.patch(
            f"{API}/orgs/{org['org_id']}/products/{product['product_id']}",
            json={"active": False},
        )
    )
    assert hub.client.get(url).status_code == 404
    other = hub.org(name="Someone Else")
    other_product = hub.product(other, name="Amul Butter 500 g")
    # Another org's slug with this product's slug: not found, not a mix-up.
    assert hub.client.get(f"/p/{other['slug']}/{product['slug']}").text != page.text
    assert hub.client.get(f"/p/{org['slug']}/{other_product['slug']}").status_code == 404
    assert hub.client.get(f"/p/{org['slug']}/NOT_A_SLUG").status_code in {404, 422}
