"""Public pages anyone may open: a product's page, the fallback URL its QR label prints."""
