package dev.easel.domain.quota;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * {@link QuotaStore} in memory, for tests and single-process use without a database. Transactions
 * run one at a time (one lock for the whole store, which trivially satisfies the row-lock contract);
 * every write records how to undo it, and a transaction whose work throws is undone before the
 * exception propagates. A nested {@code inTransaction} on the same thread joins the outer one.
 */
public final class InMemoryQuotaStore implements QuotaStore {
    private record GuildKey(String guildId, String id) {
    }

    private record AssignmentKey(String guildId, String userId, String plan) {
    }

    private record MeterKey(String guildId, String userId, String plan, Instant periodStart) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ThreadLocal<Tx> current = new ThreadLocal<>();

    private final Map<String, GuildSettings> guilds = new HashMap<>();
    private final Map<GuildKey, Plan> plans = new HashMap<>();
    private final Map<GuildKey, String> roles = new HashMap<>();
    private final Map<GuildKey, String> skus = new HashMap<>();
    private final Map<AssignmentKey, Assignment> assignments = new HashMap<>();
    private final Map<GuildKey, Account> accounts = new HashMap<>();
    private final Map<MeterKey, Meter> meters = new HashMap<>();
    private final Map<ReservationId, Reservation> reservations = new HashMap<>();
    private final List<AuditEntry> audit = new ArrayList<>();
    private long auditSequence;

    @Override
    public <T> T inTransaction(Function<QuotaTx, T> work) {
        Tx outer = current.get();
        if (outer != null) {
            return work.apply(outer);
        }
        lock.lock();
        Tx tx = new Tx();
        current.set(tx);
        try {
            T result = work.apply(tx);
            tx.undo.clear();
            return result;
        } catch (RuntimeException | Error e) {
            while (!tx.undo.isEmpty()) {
                tx.undo.pop().run();
            }
            throw e;
        } finally {
            tx.closed = true;
            current.remove();
            lock.unlock();
        }
    }

    private final class Tx implements QuotaTx {
        final Deque<Runnable> undo = new ArrayDeque<>();
        boolean closed;

        private void open() {
            if (closed) {
                throw new IllegalStateException("transaction already ended");
            }
        }

        private <K, V> void put(Map<K, V> map, K key, V value) {
            open();
            boolean had = map.containsKey(key);
            V old = map.put(key, value);
            undo.push(() -> {
                if (had) {
                    map.put(key, old);
                } else {
                    map.remove(key);
                }
            });
        }

        private <K, V> boolean remove(Map<K, V> map, K key) {
            open();
            if (!map.containsKey(key)) {
                return false;
            }
            V old = map.remove(key);
            undo.push(() -> map.put(key, old));
            return true;
        }

        @Override
        public Optional<GuildSettings> guild(String guildId) {
            open();
            return Optional.ofNullable(guilds.get(guildId));
        }

        @Override
        public boolean createGuild(GuildSettings settings, List<Plan> newPlans) {
            if (guilds.containsKey(settings.guildId())) {
                return false;
            }
            put(guilds, settings.guildId(), settings);
            for (Plan p : newPlans) {
                put(plans, new GuildKey(settings.guildId(), p.name()), p);
            }
            return true;
        }

        @Override
        public GuildSettings lockGuild(String guildId) {
            return guild(guildId).orElseThrow(() -> new IllegalStateException("unknown guild " + guildId));
        }

        @Override
        public void saveGuild(GuildSettings settings) {
            put(guilds, settings.guildId(), settings);
        }

        @Override
        public List<Plan> plans(String guildId) {
            open();
            return plans.entrySet().stream().filter(e -> e.getKey().guildId().equals(guildId))
                    .map(Map.Entry::getValue).toList();
        }

        @Override
        public void savePlan(String guildId, Plan plan) {
            put(plans, new GuildKey(guildId, plan.name()), plan);
        }

        @Override
        public boolean deletePlan(String guildId, String planName) {
            return remove(plans, new GuildKey(guildId, planName));
        }

        private Map<String, String> mappings(Map<GuildKey, String> map, String guildId) {
            open();
            Map<String, String> out = new HashMap<>();
            map.forEach((k, v) -> {
                if (k.guildId().equals(guildId)) {
                    out.put(k.id(), v);
                }
            });
            return out;
        }

        @Override
        public Map<String, String> roleMappings(String guildId) {
            return mappings(roles, guildId);
        }

        @Override
        public void mapRole(String guildId, String roleId, String planName) {
            put(roles, new GuildKey(guildId, roleId), planName);
        }

        @Override
        public boolean unmapRole(String guildId, String roleId) {
            return remove(roles, new GuildKey(guildId, roleId));
        }

        @Override
        public Map<String, String> skuMappings(String guildId) {
            return mappings(skus, guildId);
        }

        @Override
        public void mapSku(String guildId, String skuId, String planName) {
            put(skus, new GuildKey(guildId, skuId), planName);
        }

        @Override
        public boolean unmapSku(String guildId, String skuId) {
            return remove(skus, new GuildKey(guildId, skuId));
        }

        @Override
        public List<Assignment> assignments(String guildId, String userId) {
            open();
            return assignments.values().stream()
                    .filter(a -> a.guildId().equals(guildId) && a.userId().equals(userId)).toList();
        }

        @Override
        public List<Assignment> assignmentsOfPlan(String guildId, String planName) {
            open();
            return assignments.values().stream()
                    .filter(a -> a.guildId().equals(guildId) && a.plan().equals(planName)).toList();
        }

        @Override
        public void saveAssignment(Assignment a) {
            put(assignments, new AssignmentKey(a.guildId(), a.userId(), a.plan()), a);
        }

        @Override
        public boolean deleteAssignment(String guildId, String userId, String planName) {
            return remove(assignments, new AssignmentKey(guildId, userId, planName));
        }

        @Override
        public Account lockAccount(String guildId, String userId) {
            GuildKey key = new GuildKey(guildId, userId);
            Account a = accounts.get(key);
            if (a == null) {
                a = Account.fresh(guildId, userId);
                put(accounts, key, a);
            }
            return a;
        }

        @Override
        public Optional<Account> account(String guildId, String userId) {
            open();
            return Optional.ofNullable(accounts.get(new GuildKey(guildId, userId)));
        }

        @Override
        public void saveAccount(Account account) {
            put(accounts, new GuildKey(account.guildId(), account.userId()), account);
        }

        @Override
        public Optional<Meter> meter(String guildId, String userId, String planName, Instant periodStart) {
            open();
            return Optional.ofNullable(meters.get(new MeterKey(guildId, userId, planName, periodStart)));
        }

        @Override
        public List<Meter> meters(String guildId, String userId) {
            open();
            return meters.values().stream().filter(m -> m.guildId().equals(guildId) && m.userId().equals(userId))
                    .toList();
        }

        @Override
        public void saveMeter(Meter m) {
            put(meters, new MeterKey(m.guildId(), m.userId(), m.plan(), m.periodStart()), m);
        }

        @Override
        public void insertReservation(Reservation r) {
            if (reservations.containsKey(r.id())) {
                throw new IllegalStateException("reservation " + r.id() + " already exists");
            }
            put(reservations, r.id(), r);
        }

        @Override
        public void updateReservation(Reservation r) {
            if (!reservations.containsKey(r.id())) {
                throw new IllegalStateException("unknown reservation " + r.id());
            }
            put(reservations, r.id(), r);
        }

        @Override
        public Optional<Reservation> reservation(ReservationId id) {
            open();
            return Optional.ofNullable(reservations.get(id));
        }

        @Override
        public List<Reservation> openReservations(String guildId, String userId) {
            open();
            return reservations.values().stream()
                    .filter(r -> r.guildId().equals(guildId) && r.userId().equals(userId) && r.state().isOpen())
                    .sorted(Comparator.comparing(Reservation::createdAt).thenComparing(r -> r.id().value()))
                    .toList();
        }

        @Override
        public AuditEntry appendAudit(AuditEntry entry) {
            open();
            AuditEntry stored = entry.withSequence(++auditSequence);
            audit.add(stored);
            undo.push(() -> {
                audit.remove(audit.size() - 1);
                auditSequence--;
            });
            return stored;
        }

        @Override
        public List<AuditEntry> audit(String guildId, int limit) {
            open();
            List<AuditEntry> out = new ArrayList<>();
            for (int i = audit.size() - 1; i >= 0 && out.size() < limit; i--) {
                if (audit.get(i).guildId().equals(guildId)) {
                    out.add(audit.get(i));
                }
            }
            return out;
        }
    }
}
