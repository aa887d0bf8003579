package dev.easel.domain.quota;

import java.util.function.Function;

/**
 * Storage port of the quota domain. All reads and writes happen inside
 * {@link #inTransaction(Function)}, through the {@link QuotaTx} it hands out.
 *
 * <h2>Contract (what makes reservations race-free)</h2>
 * <ul>
 *   <li>{@code inTransaction} runs the work as one atomic unit: if the work throws, nothing it wrote
 *       is kept (and the exception propagates); otherwise everything is committed together.</li>
 *   <li>{@link QuotaTx#lockAccount} creates the member's account row if absent and takes an exclusive
 *       lock on it until the transaction ends (JDBC: insert-if-absent, then
 *       {@code SELECT … FOR UPDATE}). The services write a member's account, meters and reservations
 *       only while holding that lock, so concurrent reservations of one member run one after another
 *       and each sees the previous one's counts.</li>
 *   <li>{@link QuotaTx#lockGuild} takes an exclusive lock on the guild's settings row; admin changes
 *       take it first (and may then lock one account). Reservations never lock the guild, so members
 *       of one guild do not wait on each other. Lock order is always guild, then account, and a
 *       transaction locks at most one account, so there are no lock-order deadlocks.</li>
 *   <li>{@link QuotaTx#createGuild} is idempotent under concurrency: when two transactions create the
 *       same guild, one inserts and the other finds the row (JDBC: {@code INSERT … ON CONFLICT DO
 *       NOTHING} / {@code MERGE}).</li>
 *   <li>An implementation may join a transaction already open on the calling thread (e.g. the
 *       application's unit of work that also inserts the job), so that reserving and enqueueing
 *       commit together. A nested {@code inTransaction} call on the same thread joins the outer one.</li>
 * </ul>
 *
 * {@code QuotaStoreContract} (tests) checks these rules for any implementation.
 */
public interface QuotaStore {
    /** Runs {@code work} in one transaction and returns its result. */
    <T> T inTransaction(Function<QuotaTx, T> work);
}
