package dev.reverb.agents.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What crosses the model boundary is messages, sampling settings and ids: no type a backend is
 * handed may hold (directly, in a list, or nested) anything from {@code dev.reverb.environments},
 * where tasks, reference answers and verifiers live.
 */
class ModelBoundaryTypesTest {

    @Test
    void should_hold_no_task_field_when_call_context_is_inspected() {
        assertThat(fields(CallContext.class)).extracting(f -> f.getType().getName())
                .doesNotContain("dev.reverb.environments.Task");
        assertThat(CallContext.class.getRecordComponents()).extracting(c -> c.getName())
                .containsExactly("episodeId", "taskId", "agent", "role", "round", "phase");
    }

    @Test
    void should_reach_no_environment_type_when_walking_every_request_type_a_backend_sees() {
        List<String> reached = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        for (Class<?> root : List.of(GenerateRequest.class, ScoreRequest.class, CallContext.class)) {
            walk(root, root.getSimpleName(), seen, reached);
        }

        assertThat(reached).as("types a backend is handed").isNotEmpty()
                .noneMatch(path -> path.contains("dev.reverb.environments"));
        // the walk really went through the request into the context and the messages
        assertThat(reached).anyMatch(path -> path.contains("GenerateRequest.context"))
                .anyMatch(path -> path.contains("GenerateRequest.messages"));
    }

    private static void walk(Class<?> type, String path, Set<Class<?>> seen, List<String> reached) {
        if (type.isPrimitive() || type.getName().startsWith("java.") || !seen.add(type)) {
            return;
        }
        for (Field f : fields(type)) {
            for (Class<?> t : types(f.getGenericType())) {
                String at = path + "." + f.getName() + ":" + t.getName();
                reached.add(at);
                walk(t, at, seen, reached);
            }
        }
    }

    /** The class a field is declared with and, for generics such as {@code List<ChatMessage>}, its type arguments. */
    private static List<Class<?>> types(Type type) {
        List<Class<?>> out = new ArrayList<>();
        if (type instanceof Class<?> c) {
            out.add(c);
        } else if (type instanceof ParameterizedType p) {
            out.addAll(types(p.getRawType()));
            for (Type arg : p.getActualTypeArguments()) {
                out.addAll(types(arg));
            }
        }
        return out;
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    out.add(f);
                }
            }
        }
        return out;
    }
}
