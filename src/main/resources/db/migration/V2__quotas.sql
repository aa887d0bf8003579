-- Quotas: each guild's settings and plans, role/SKU mappings, assignments, members' accounts and
-- meters, reservations and the admin audit log. Portable SQL: runs on PostgreSQL and on H2
-- (MODE=PostgreSQL). Ids are platform ids (Discord snowflakes as text, at most 64 characters);
-- instants are stored with microsecond precision. No foreign keys: the quota domain keeps the
-- references between plans, mappings and assignments consistent itself (a deleted plan's uses move
-- to its replacement in the same transaction).

-- A guild's settings; the row admin changes lock (SELECT ... FOR UPDATE).
CREATE TABLE quota_guilds (
    guild_id     VARCHAR(64) NOT NULL PRIMARY KEY,
    default_plan VARCHAR(32) NOT NULL,
    period_mode  VARCHAR(16) NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT quota_guilds_period_check CHECK (period_mode IN ('ANNIVERSARY', 'CALENDAR'))
);

-- A guild's own copy of a plan. fields: every field of the plan as a JSON object of text values
-- under the plans.yaml keys ({"displayName":"Basic","images":"100",...}), written by
-- PlanField.toFields and read by PlanField.restore, so a field added later reads back with its
-- baseline value.
CREATE TABLE quota_plans (
    guild_id  VARCHAR(64)   NOT NULL,
    plan_name VARCHAR(32)   NOT NULL,
    fields    VARCHAR(4000) NOT NULL,
    PRIMARY KEY (guild_id, plan_name)
);

-- Discord role id -> plan name.
CREATE TABLE quota_role_plans (
    guild_id  VARCHAR(64) NOT NULL,
    role_id   VARCHAR(64) NOT NULL,
    plan_name VARCHAR(32) NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);

-- Entitlement SKU id -> plan name.
CREATE TABLE quota_sku_plans (
    guild_id  VARCHAR(64) NOT NULL,
    sku_id    VARCHAR(64) NOT NULL,
    plan_name VARCHAR(32) NOT NULL,
    PRIMARY KEY (guild_id, sku_id)
);

-- An admin's assignment of a plan to a member; expires_at NULL = until unassigned.
CREATE TABLE quota_assignments (
    guild_id    VARCHAR(64) NOT NULL,
    user_id     VARCHAR(64) NOT NULL,
    plan_name   VARCHAR(32) NOT NULL,
    assigned_by VARCHAR(64) NOT NULL,
    assigned_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (guild_id, user_id, plan_name)
);

CREATE INDEX quota_assignments_plan_idx ON quota_assignments (guild_id, plan_name);

-- A member's quota state; the row every reservation of the member locks (SELECT ... FOR UPDATE).
-- plan_name/plan_since: the subscription (both NULL until the member's plan is first resolved).
-- role_ids/sku_ids: the last reported ids, sorted, separated by single spaces ('' for none).
CREATE TABLE quota_accounts (
    guild_id        VARCHAR(64)      NOT NULL,
    user_id         VARCHAR(64)      NOT NULL,
    bonus_images    INTEGER          NOT NULL,
    plan_name       VARCHAR(32),
    plan_since      TIMESTAMP WITH TIME ZONE,
    role_ids        VARCHAR(1000000) NOT NULL,
    sku_ids         VARCHAR(1000000) NOT NULL,
    private_enabled BOOLEAN          NOT NULL,
    PRIMARY KEY (guild_id, user_id),
    CONSTRAINT quota_accounts_bonus_check CHECK (bonus_images >= 0),
    CONSTRAINT quota_accounts_subscription_check CHECK ((plan_name IS NULL) = (plan_since IS NULL))
);

-- Images counted on one plan in one period (period_start 1970-01-01 for never-renewing plans).
CREATE TABLE quota_meters (
    guild_id         VARCHAR(64) NOT NULL,
    user_id          VARCHAR(64) NOT NULL,
    plan_name        VARCHAR(32) NOT NULL,
    period_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    committed_images INTEGER     NOT NULL,
    pending_images   INTEGER     NOT NULL,
    PRIMARY KEY (guild_id, user_id, plan_name, period_start),
    CONSTRAINT quota_meters_counts_check CHECK (committed_images >= 0 AND pending_images >= 0)
);

-- Images taken for one job until it is delivered (COMMITTED) or not (REFUNDED). jobs.reservation_id
-- refers to id.
CREATE TABLE quota_reservations (
    id               VARCHAR(64) NOT NULL PRIMARY KEY,
    guild_id         VARCHAR(64) NOT NULL,
    user_id          VARCHAR(64) NOT NULL,
    plan_name        VARCHAR(32) NOT NULL,
    period_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    lane             VARCHAR(8)  NOT NULL,
    plan_images      INTEGER     NOT NULL,
    bonus_images     INTEGER     NOT NULL,
    max_running      INTEGER     NOT NULL,
    state            VARCHAR(16) NOT NULL,
    committed_images INTEGER     NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT quota_reservations_state_check CHECK (state IN ('QUEUED', 'RUNNING', 'COMMITTED', 'REFUNDED')),
    CONSTRAINT quota_reservations_lane_check CHECK (lane IN ('FAST', 'RELAX'))
);

CREATE INDEX quota_reservations_member_idx ON quota_reservations (guild_id, user_id, state, created_at);
CREATE INDEX quota_reservations_state_idx ON quota_reservations (state);

-- Admin changes, numbered by the database in increasing order.
CREATE TABLE quota_audit (
    seq          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    guild_id     VARCHAR(64)      NOT NULL,
    actor_id     VARCHAR(64)      NOT NULL,
    changed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    audit_action VARCHAR(32)      NOT NULL,
    subject      VARCHAR(200)     NOT NULL,
    change_text  VARCHAR(1000000) NOT NULL
);

CREATE INDEX quota_audit_guild_idx ON quota_audit (guild_id, seq);

-- Finding the job of a reservation (settling reservations whose job ended or vanished).
CREATE INDEX jobs_reservation_idx ON jobs (reservation_id);
