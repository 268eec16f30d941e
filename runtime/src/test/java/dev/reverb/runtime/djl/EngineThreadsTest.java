package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineThreadsTest {

    @Test
    void should_default_to_half_the_cores_and_one_interop_thread_when_the_user_has_not_chosen() {
        String intra = System.clearProperty(EngineThreads.INTRA);
        String inter = System.clearProperty(EngineThreads.INTER);
        try {
            EngineThreads.defaults();
            assertThat(System.getProperty(EngineThreads.INTRA))
                    .isEqualTo(Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
            assertThat(System.getProperty(EngineThreads.INTER)).isEqualTo("1");
        } finally {
            restore(EngineThreads.INTRA, intra);
            restore(EngineThreads.INTER, inter);
        }
    }

    @Test
    void should_keep_the_users_thread_counts_when_set() {
        String intra = System.setProperty(EngineThreads.INTRA, "3");
        String inter = System.setProperty(EngineThreads.INTER, "2");
        try {
            EngineThreads.defaults();
            assertThat(System.getProperty(EngineThreads.INTRA)).isEqualTo("3");
            assertThat(System.getProperty(EngineThreads.INTER)).isEqualTo("2");
        } finally {
            restore(EngineThreads.INTRA, intra);
            restore(EngineThreads.INTER, inter);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
