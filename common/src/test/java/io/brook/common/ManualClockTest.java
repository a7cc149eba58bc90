package io.brook.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void advanceMovesWallAndMonotonicTimeTogether() {
        ManualClock clock = new ManualClock(1_000L);
        clock.advance(250);
        assertEquals(1_250L, clock.milliseconds());
        assertEquals(250_000_000L, clock.nanoseconds());
        assertEquals(250L, clock.monotonicMilliseconds());
    }

    @Test
    void refusesToGoBackwards() {
        ManualClock clock = new ManualClock();
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
    }
}
