"""Handlers of the catalog service: products in PostgreSQL (catalog-db), seeded at startup.

`rosec build` never overwrites this file. The contract is CatalogHandlers in
    generated/shop/services/catalog/handlers.py
`self.deps` (CatalogDeps) holds: catalog_db.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from catalog.handlers import CatalogHandlers
from catalog.models import Money, Product, ProductList, StockLevel
from rose_runtime.context import MessageContext, RequestContext
from rose_runtime.errors import Problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    sku text PRIMARY KEY,
    name text NOT NULL,
    price_amount numeric NOT NULL,
    price_currency text NOT NULL,
    tags text[] NOT NULL,
    attributes jsonb NOT NULL,
    image_url text
);
"""
COLUMNS = "sku, name, price_amount, price_currency, tags, attributes, image_url"
INSERT = f"INSERT INTO products ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
UPSERT = INSERT + """
ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_amount = excluded.price_amount,
    price_currency = excluded.price_currency, tags = excluded.tags, attributes = excluded.attributes,
    image_url = excluded.image_url
"""
OUT_OF_STOCK = "out-of-stock"


def _product(sku: str, name: str, amount: str, tags: list[str], **attributes: str) -> Product:
    return Product(sku=sku, name=name, price=Money(amount=Decimal(amount), currency="EUR"), tags=tags,
                   attributes=attributes)


# The products the catalog starts with (inventory holds stock for the same SKUs); existing rows are kept.
SEED = (
    _product("tea-earl-grey", "Earl Grey, 250 g", "7.90", ["tea", "black"], origin="India"),
    _product("tea-sencha", "Sencha, 100 g", "9.50", ["tea", "green"], origin="Japan"),
    _product("mug-stoneware", "Stoneware mug", "14.00", ["tableware"], volume="350 ml"),
    _product("kettle-copper", "Copper kettle", "89.00", ["kitchen"], volume="1.5 l"),
    _product("teapot-cast-iron", "Cast iron teapot", "45.00", ["kitchen", "tea"], volume="0.8 l"),
)


class Handlers(CatalogHandlers):
    """Products by SKU; admins upsert them, and a depleted stock tags them out-of-stock."""

    async def on_startup(self) -> None:
        async with self.deps.catalog_db.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock(hashtext('catalog schema'))")  # replicas start at once
            await db.execute(SCHEMA)
            await db.executemany(INSERT + " ON CONFLICT (sku) DO NOTHING", [_row(product) for product in SEED])

    async def get_products(self, tag: str | None, ctx: RequestContext) -> ProductList:
        """GET /products: every product, or those tagged `tag`."""
        if tag is not None and not _storable(tag):
            return ProductList(items=[])
        async with self.deps.catalog_db.acquire() as db:
            rows = await db.fetch(f"SELECT {COLUMNS} FROM products WHERE $1::text IS NULL OR $1 = ANY(tags) "
                                  "ORDER BY sku", tag)
        return ProductList(items=[_from_row(row) for row in rows])

    async def get_products_by_sku(self, sku: str, ctx: RequestContext) -> Product:
        """GET /products/{sku}"""
        row = None
        if _storable(sku):
            async with self.deps.catalog_db.acquire() as db:
                row = await db.fetchrow(f"SELECT {COLUMNS} FROM products WHERE sku = $1", sku)
        if row is None:
            raise Problem(404, "Not Found", f"no product {sku!r}")
        return _from_row(row)

    async def put_products_by_sku(self, sku: str, body: Product, ctx: RequestContext) -> Product:
        """PUT /products/{sku} (admin): create or replace the product."""
        problems = []
        if body.sku != sku:
            problems.append("the body's sku must be the sku of the path")
        if body.price.amount < 0:
            problems.append("price.amount must not be negative")
        texts = [body.sku, body.name, body.price.currency, *body.tags, *body.attributes, *body.attributes.values(),
                 *([body.image_url] if body.image_url is not None else [])]
        if not all(_storable(text) for text in texts):
            problems.append("texts must not contain NUL characters")
        if problems:
            raise Problem(422, "Unprocessable Content", "; ".join(problems))
        async with self.deps.catalog_db.acquire() as db:
            await db.execute(UPSERT, *_row(body))
        ctx.logger.info("product %s saved", sku, extra={"sku": sku})
        return body

    async def on_stock_depleted(self, message: StockLevel, ctx: MessageContext) -> None:
        """Consumes event stock.depleted (StockLevel): the product is tagged out-of-stock."""
        async with self.deps.catalog_db.acquire() as db:
            await db.execute("UPDATE products SET tags = array_append(tags, $2) "
                             "WHERE sku = $1 AND NOT ($2 = ANY(tags))", message.sku, OUT_OF_STOCK)
        ctx.logger.info("product %s is out of stock", message.sku, extra={"sku": message.sku})


def _row(product: Product) -> tuple[Any, ...]:
    return (product.sku, product.name, product.price.amount, product.price.currency, product.tags,
            json.dumps(product.attributes), product.image_url)


def _from_row(row: Any) -> Product:
    return Product(sku=row["sku"], name=row["name"],
                   price=Money(amount=row["price_amount"], currency=row["price_currency"]),
                   tags=list(row["tags"]), attributes=json.loads(row["attributes"]), image_url=row["image_url"])


def _storable(text: str) -> bool:
    """PostgreSQL text and jsonb hold neither NUL characters nor lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
