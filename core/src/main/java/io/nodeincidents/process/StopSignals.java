package io.nodeincidents.process;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Handles SIGINT and SIGTERM with a given action instead of the JVM's default (run shutdown hooks, exit 130/143), so
 * that a command stopped with Ctrl-C can end normally with status 0.
 *
 * <p>Goes through {@code sun.misc.Signal} by reflection (as Kafka's own signal logging does), keeping the build free
 * of internal-API warnings; where it is unavailable, or a signal was ignored when the JVM started (a background job
 * of a script), that signal keeps the JVM's default behaviour.
 */
public final class StopSignals {

    private StopSignals() {
    }

    /** Installs the handler; the returned action puts the previous handlers back. */
    public static Runnable install(Runnable onStop) {
        List<Runnable> restore = new ArrayList<>();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onStop.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "StopSignals";
                    });
            for (String name : List.of("INT", "TERM")) {
                try {
                    Object signal = newSignal.newInstance(name);
                    Object previous = handle.invoke(null, signal, handler);
                    restore.add(() -> {
                        try {
                            handle.invoke(null, signal, previous);
                        } catch (ReflectiveOperationException e) {
                            // leave ours in place: it only counts down a latch nobody waits on any more
                        }
                    });
                } catch (InvocationTargetException e) {
                    // signal reserved by the JVM or unknown on this OS: default behaviour stays
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no sun.misc.Signal in this runtime: the default behaviour (shutdown hooks) stays
        }
        return () -> restore.forEach(Runnable::run);
    }
}
