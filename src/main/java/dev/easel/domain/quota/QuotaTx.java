package dev.easel.domain.quota;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operations available inside one {@link QuotaStore} transaction. Ids are the platform's (Discord
 * snowflakes as text). Lists are returned in the order stated; maps are unordered.
 */
public interface QuotaTx {

    // ---- guild settings and plans -------------------------------------------------------------

    /** The guild's settings, or empty if the guild has never been seen. No lock. */
    Optional<GuildSettings> guild(String guildId);

    /**
     * Creates the guild with its settings and plans if it does not exist yet; does nothing (and
     * returns false) if it does. Safe when called by concurrent transactions.
     */
    boolean createGuild(GuildSettings settings, List<Plan> plans);

    /** The guild's settings, locked exclusively until the transaction ends. The guild must exist. */
    GuildSettings lockGuild(String guildId);

    /** Replaces the guild's settings row. */
    void saveGuild(GuildSettings settings);

    /** The guild's plans, in no particular order. */
    List<Plan> plans(String guildId);

    /** Inserts or replaces the plan with this name. */
    void savePlan(String guildId, Plan plan);

    /** Deletes the plan; returns whether it existed. */
    boolean deletePlan(String guildId, String planName);

    // ---- role and SKU mappings ----------------------------------------------------------------

    /** role id → plan name. */
    Map<String, String> roleMappings(String guildId);

    /** Maps the role to the plan, replacing any previous mapping of that role. */
    void mapRole(String guildId, String roleId, String planName);

    /** Removes the role's mapping; returns whether there was one. */
    boolean unmapRole(String guildId, String roleId);

    /** SKU id → plan name. */
    Map<String, String> skuMappings(String guildId);

    void mapSku(String guildId, String skuId, String planName);

    boolean unmapSku(String guildId, String skuId);

    // ---- assignments --------------------------------------------------------------------------

    /** The member's assignments (expired ones included), in no particular order. */
    List<Assignment> assignments(String guildId, String userId);

    /** All assignments of one plan in the guild. */
    List<Assignment> assignmentsOfPlan(String guildId, String planName);

    /** Inserts or replaces the assignment keyed by (guild, user, plan). */
    void saveAssignment(Assignment assignment);

    /** Deletes the assignment keyed by (guild, user, plan); returns whether it existed. */
    boolean deleteAssignment(String guildId, String userId, String planName);

    // ---- member accounts, meters, reservations -------------------------------------------------

    /**
     * The member's account, created as {@link Account#fresh} if absent, locked exclusively until the
     * transaction ends. Every write below for this member must come after this call.
     */
    Account lockAccount(String guildId, String userId);

    /** The member's account without locking, or empty if never created. */
    Optional<Account> account(String guildId, String userId);

    /** Replaces the member's account row (which {@link #lockAccount} created). */
    void saveAccount(Account account);

    /** The meter keyed by (guild, user, plan, periodStart), or empty if nothing was counted yet. */
    Optional<Meter> meter(String guildId, String userId, String planName, Instant periodStart);

    /** All of the member's meters, in no particular order. */
    List<Meter> meters(String guildId, String userId);

    /** Inserts or replaces the meter with the same key. */
    void saveMeter(Meter meter);

    /** Inserts a new reservation; its id must be new. */
    void insertReservation(Reservation reservation);

    /** Replaces the reservation with the same id. */
    void updateReservation(Reservation reservation);

    Optional<Reservation> reservation(ReservationId id);

    /** The member's QUEUED and RUNNING reservations, oldest first. */
    List<Reservation> openReservations(String guildId, String userId);

    // ---- audit --------------------------------------------------------------------------------

    /** Stores the entry, giving it the next sequence number of the store (increasing); returns it with that number. */
    AuditEntry appendAudit(AuditEntry entry);

    /** The guild's newest {@code limit} entries, newest first. */
    List<AuditEntry> audit(String guildId, int limit);
}
