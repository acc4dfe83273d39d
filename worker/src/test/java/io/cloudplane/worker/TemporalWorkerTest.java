package io.cloudplane.worker;

import io.cloudplane.activities.common.ControlPlaneActivities;
import io.cloudplane.workflows.common.WorkflowImplementations;
import io.micronaut.context.BeanContext;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.temporal.activity.ActivityInterface;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker registers what it finds, not a hand-kept list: every activity interface of the
 * workflows module has exactly one implementation among the beans it registers, and no activity
 * bean is left out for want of its marker.
 */
@MicronautTest(transactional = false)
class TemporalWorkerTest {
    @Inject List<ControlPlaneActivities> registered;
    @Inject BeanContext beans;

    @Test
    void everyActivityInterfaceHasExactlyOneRegisteredImplementation() throws Exception {
        Map<String, Long> implementations = registered.stream()
                .flatMap(bean -> activityInterfaces(bean.getClass()))
                .collect(Collectors.groupingBy(Class::getName, Collectors.counting()));
        assertEquals(activityInterfacesOfTheWorkflowsModule(), new TreeSet<>(implementations.keySet()));
        implementations.forEach((type, count) -> assertEquals(1L, count, type + " is implemented by " + count + " beans"));
    }

    @Test
    void everyActivityBeanCarriesTheMarker() {
        beans.getAllBeanDefinitions().stream()
                .filter(definition -> activityInterfaces(definition.getBeanType()).findAny().isPresent())
                .forEach(definition -> assertTrue(ControlPlaneActivities.class.isAssignableFrom(definition.getBeanType()),
                        definition.getBeanType() + " implements an activity interface but is not ControlPlaneActivities,"
                                + " so the worker would not register it"));
    }

    private static Stream<Class<?>> activityInterfaces(Class<?> type) {
        return Arrays.stream(type.getInterfaces()).filter(i -> i.isAnnotationPresent(ActivityInterface.class));
    }

    /** Every interface annotated {@code @ActivityInterface} among the classes of the workflows module. */
    private static Set<String> activityInterfacesOfTheWorkflowsModule() throws Exception {
        URI location = WorkflowImplementations.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(location);
        FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root);
        try (Stream<Path> files = Files.walk(jar == null ? root : jar.getPath("/"))) {
            Path base = jar == null ? root : jar.getPath("/");
            Set<String> found = new TreeSet<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = base.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.startsWith("io.cloudplane.workflows.")) {
                    Class<?> type = Class.forName(name, false, WorkflowImplementations.class.getClassLoader());
                    if (type.isInterface() && type.isAnnotationPresent(ActivityInterface.class)) {
                        found.add(type.getName());
                    }
                }
            }
            return found;
        } finally {
            if (jar != null) {
                jar.close();
            }
        }
    }
}
