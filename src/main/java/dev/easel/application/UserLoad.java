package dev.easel.application;

/** How many of a user's jobs are waiting and running right now. */
public record UserLoad(int queued, int running) {
    public static final UserLoad NONE = new UserLoad(0, 0);
}
