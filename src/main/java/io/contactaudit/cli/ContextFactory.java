package io.contactaudit.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** Creates commands and mixins for picocli, passing the {@link CliContext} to those whose constructor takes it. */
final class ContextFactory implements CommandLine.IFactory {

    private final CliContext context;

    ContextFactory(CliContext context) {
        this.context = context;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        Constructor<K> withContext;
        try {
            withContext = type.getDeclaredConstructor(CliContext.class);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(type);
        }
        withContext.setAccessible(true);
        return withContext.newInstance(context);
    }
}
