-- Moderation: words a server does not allow in prompts (checked before a job is charged).
-- Portable SQL: runs on PostgreSQL and on H2 (MODE=PostgreSQL).
CREATE TABLE moderation_banned_words (
    guild_id  VARCHAR(64)  NOT NULL,
    -- stored in lower case; a word or a phrase of words separated by single spaces
    word      VARCHAR(100) NOT NULL,
    added_by  VARCHAR(64)  NOT NULL,
    added_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (guild_id, word)
);
