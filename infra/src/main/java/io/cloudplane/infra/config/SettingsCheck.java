package io.cloudplane.infra.config;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Validates every typed settings record at start-up, before anything else uses them. Micronaut binds
 * a value it cannot convert ({@code CLOUDPLANE_IDENTITY_LOCKOUT=soon}) as if it were not set, so the
 * default would win in silence: this check converts each given value to its component's type and
 * stops the start naming the key when it cannot. Then it creates each record, whose own constructor
 * checks ranges ({@link Settings#require}).
 */
@Context
public class SettingsCheck {

    public SettingsCheck(ApplicationContext context) {
        Environment environment = context.getEnvironment();
        for (BeanDefinition<?> definition : context.getBeanDefinitions(Qualifiers.byStereotype(ConfigurationProperties.class))) {
            Class<?> type = definition.getBeanType();
            ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
            if (!type.isRecord() || properties == null || !type.getPackageName().startsWith("io.cloudplane.")) {
                continue;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                String key = properties.value() + "." + NameUtils.hyphenate(component.getName());
                environment.getProperty(key, String.class).ifPresent(raw -> {
                    // An unconvertible list comes back empty rather than absent.
                    boolean converts = environment.getProperty(key, argumentOf(component))
                            .filter(v -> raw.isBlank() || !(v instanceof java.util.Collection<?> c && c.isEmpty()))
                            .isPresent();
                    Settings.require(converts, key, "must be " + describe(component), raw);
                });
            }
            context.getBean(type);
        }
    }

    private static Argument<?> argumentOf(RecordComponent component) {
        if (List.class.equals(component.getType()) && component.getGenericType() instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> element) {
            return Argument.listOf(element);
        }
        return Argument.of(component.getType());
    }

    private static String describe(RecordComponent component) {
        Class<?> type = component.getType();
        if (type == java.time.Duration.class) {
            return "a duration such as 30s, 15m or 7d";
        }
        if (type == List.class) {
            return "a comma-separated list";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return "a " + type.getSimpleName();
    }
}
