-- The Discord bot's own state. Portable SQL: runs on PostgreSQL and on H2 (MODE=PostgreSQL).

-- How each job made on Discord reaches its owner. Deliveries are driven by the job's state: a pending delivery
-- whose job has finished is posted (and retried) until it is delivered, also after a restart.
CREATE TABLE discord_deliveries (
    job_id             VARCHAR(16)   NOT NULL PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    -- the interaction's token (valid 15 minutes after token_created_at); cleared once delivered
    interaction_token  VARCHAR(1000),
    token_created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    user_id            VARCHAR(64)   NOT NULL,
    guild_id           VARCHAR(64),
    channel_id         VARCHAR(64)   NOT NULL,
    private_result     BOOLEAN       NOT NULL,
    upload_limit       BIGINT        NOT NULL,
    state              VARCHAR(16)   NOT NULL,
    attempts           INTEGER       NOT NULL,
    next_attempt_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error         VARCHAR(2000),
    result_message_id  VARCHAR(64),
    via                VARCHAR(16),
    CONSTRAINT discord_deliveries_state_check CHECK (state IN ('PENDING', 'DELIVERED', 'GAVE_UP')),
    CONSTRAINT discord_deliveries_via_check CHECK (via IS NULL OR via IN ('INTERACTION', 'CHANNEL', 'DM', 'NONE'))
);

CREATE INDEX discord_deliveries_due_idx ON discord_deliveries (state, next_attempt_at);

-- A member's personal defaults for /imagine, set with /settings (null = the server's default).
CREATE TABLE discord_preferences (
    user_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    aspect_ratio  VARCHAR(16),
    sampler       VARCHAR(32),
    steps         INTEGER,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
