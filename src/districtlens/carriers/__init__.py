"""Carriers (parks, incubators, campuses), their floor space and tenants, the innovation pipeline
they host, and the programmes whose KPIs measure them: pure logic on frames (the store reads and
writes them in districtlens.store.carriers)."""
