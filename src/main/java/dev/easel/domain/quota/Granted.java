package dev.easel.domain.quota;

/**
 * The job may go ahead; its images are already taken from the member's allowance.
 *
 * @param reservationId commit or refund this when the job ends
 * @param lane          the lane the job runs in
 * @param plan          the member's plan at the time of the reservation
 * @param remaining     what is left after this reservation
 */
public record Granted(ReservationId reservationId, Lane lane, Plan plan, Remaining remaining) implements ReserveResult {
}
