package dev.easel.domain.quota;

/**
 * What /info shows a member.
 *
 * @param guildId        guild
 * @param userId         member
 * @param resolution     plan, where it came from, add-ons, private access
 * @param period         current period: start and renewal (empty renewal for trials)
 * @param used           images used on the plan this period (delivered plus reserved by open jobs)
 * @param remaining      plan images left (or unlimited) and bonus left
 * @param lane           the lane the member's next job would run in
 * @param running        jobs running now
 * @param queued         jobs waiting (not running yet)
 * @param privateEnabled the member's own private switch
 * @param privateNow     whether results are private now ({@link QuotaService#isPrivate})
 */
public record Usage(String guildId, String userId, PlanResolution resolution, Period period, int used,
                    Remaining remaining, Lane lane, int running, int queued, boolean privateEnabled,
                    boolean privateNow) {
    public Plan plan() {
        return resolution.plan();
    }

    public PlanSource source() {
        return resolution.source();
    }

    public int bonus() {
        return remaining.bonusImages();
    }
}
