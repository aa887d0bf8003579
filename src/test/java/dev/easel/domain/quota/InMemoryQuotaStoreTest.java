package dev.easel.domain.quota;

/** The store contract, run against the in-memory store. */
class InMemoryQuotaStoreTest extends QuotaStoreContract {
    @Override
    protected QuotaStore newStore() {
        return new InMemoryQuotaStore();
    }
}
