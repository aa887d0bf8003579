-- Generation jobs. Portable SQL: runs on PostgreSQL and on H2 (MODE=PostgreSQL).
CREATE TABLE jobs (
    id               VARCHAR(16)      NOT NULL PRIMARY KEY,
    owner_user_id    VARCHAR(64)      NOT NULL,
    guild_id         VARCHAR(64),
    channel_id       VARCHAR(64),
    kind             VARCHAR(16)      NOT NULL,
    -- derived jobs: parent, 0-based candidate (-1: whole grid) and the init image they start from
    parent_id        VARCHAR(16)      REFERENCES jobs (id),
    candidate_index  INTEGER,
    source_image_id  VARCHAR(200),
    -- generation parameters
    prompt           VARCHAR(4000)    NOT NULL,
    negative_prompt  VARCHAR(4000)    NOT NULL,
    width            INTEGER          NOT NULL,
    height           INTEGER          NOT NULL,
    steps            INTEGER          NOT NULL,
    guidance_scale   DOUBLE PRECISION NOT NULL,
    sampler          VARCHAR(32)      NOT NULL,
    seed             BIGINT           NOT NULL,
    chaos            INTEGER          NOT NULL,
    stylize          INTEGER,
    tile             BOOLEAN          NOT NULL,
    quality          DOUBLE PRECISION NOT NULL,
    model            VARCHAR(200)     NOT NULL,
    strength         DOUBLE PRECISION NOT NULL,
    candidate_count  INTEGER          NOT NULL,
    -- plan and queue
    lane             VARCHAR(8)       NOT NULL,
    lane_rank        SMALLINT         NOT NULL,
    plan_name        VARCHAR(64)      NOT NULL,
    private_result   BOOLEAN          NOT NULL,
    reservation_id   VARCHAR(64),
    max_running      INTEGER          NOT NULL,
    -- life
    status           VARCHAR(16)      NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    heartbeat_at     TIMESTAMP WITH TIME ZONE,
    attempts         INTEGER          NOT NULL,
    worker_id        VARCHAR(100),
    cancel_requested BOOLEAN          NOT NULL,
    failure_reason   VARCHAR(2000),
    grid_image_id    VARCHAR(200),
    run_ms           BIGINT,
    CONSTRAINT jobs_status_check CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED')),
    CONSTRAINT jobs_kind_check CHECK (kind IN ('IMAGINE', 'UPSCALE', 'VARIATION', 'REROLL'))
);

CREATE INDEX jobs_queue_idx ON jobs (status, lane_rank, created_at);
CREATE INDEX jobs_owner_created_idx ON jobs (owner_user_id, created_at);
CREATE INDEX jobs_owner_started_idx ON jobs (owner_user_id, started_at);
CREATE INDEX jobs_finished_idx ON jobs (finished_at);

-- The images a DONE job delivered, in candidate order.
CREATE TABLE job_images (
    job_id      VARCHAR(16)  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    image_index INTEGER      NOT NULL,
    image_id    VARCHAR(200) NOT NULL,
    PRIMARY KEY (job_id, image_index)
);
