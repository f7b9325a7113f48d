import Store

// The index lists its entries, so a folder re-ingest can report (and prune) entries that left the atlas.
extension AtlasStore: AtlasEntryListing {}
