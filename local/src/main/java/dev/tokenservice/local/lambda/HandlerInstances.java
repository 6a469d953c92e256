package dev.tokenservice.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.tokenservice.local.failure.Failures;
import dev.tokenservice.local.failure.StartupException;
import dev.tokenservice.local.template.FunctionDefinition;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Makes a function's handler the way the Lambda Java runtime does: its class's no-argument constructor,
 * once (the init phase), then its handler method for every request.
 */
public final class HandlerInstances {

    private HandlerInstances() {
    }

    public static FunctionInvoker create(FunctionDefinition function) {
        Class<?> type = handlerClass(function);
        Method method = handlerMethod(type, function);
        Object instance = instantiate(type, function);
        return (event, context) -> {
            try {
                Object[] arguments = method.getParameterCount() == 2 ? new Object[] {event, context} : new Object[] {event};
                return (APIGatewayProxyResponseEvent) method.invoke(instance, arguments);
            } catch (InvocationTargetException thrown) {
                throw thrown.getCause() instanceof Exception e ? e : new RuntimeException(thrown.getCause());
            }
        };
    }

    /** The class the template's Handler names; a startup error naming the function when it is missing. */
    static Class<?> handlerClass(FunctionDefinition function) {
        if (function.handler() == null) {
            throw new StartupException(function.logicalId() + " names no Handler in the template");
        }
        try {
            return Class.forName(function.handlerClassName());
        } catch (ClassNotFoundException e) {
            throw new StartupException(function.logicalId() + "'s handler class " + function.handlerClassName()
                    + " is not on the classpath; build the functions module first");
        }
    }

    /** The handler instance, made by its no-argument constructor as the Lambda runtime's init phase does. */
    static Object instantiate(Class<?> type, FunctionDefinition function) {
        try {
            Constructor<?> constructor = type.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw new StartupException(function.handlerClassName() + " has no no-argument constructor");
        } catch (InvocationTargetException e) {
            throw new InitPhaseFailed(function, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new StartupException("cannot create " + function.handlerClassName() + ": " + Failures.describe(e));
        }
    }

    /** The handler's constructor threw: on Lambda an init error, a failure of the function rather than of its setup. */
    public static final class InitPhaseFailed extends StartupException {
        private final transient Throwable failure;

        InitPhaseFailed(FunctionDefinition function, Throwable failure) {
            super(function.logicalId() + " failed in its init phase: " + Failures.describe(failure));
            this.failure = failure;
        }

        public Throwable failure() {
            return failure;
        }
    }

    /** The named method taking the proxy event (and the context), not a compiler-made bridge method. */
    private static Method handlerMethod(Class<?> type, FunctionDefinition function) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(function.handlerMethodName()) && !m.isBridge())
                .filter(m -> m.getParameterCount() >= 1 && m.getParameterCount() <= 2)
                .filter(m -> m.getParameterTypes()[0].isAssignableFrom(APIGatewayProxyRequestEvent.class))
                .filter(m -> m.getParameterCount() == 1 || m.getParameterTypes()[1].isAssignableFrom(Context.class))
                .filter(m -> m.getReturnType().isAssignableFrom(APIGatewayProxyResponseEvent.class)
                        || APIGatewayProxyResponseEvent.class.isAssignableFrom(m.getReturnType()))
                .findFirst()
                .orElseThrow(() -> new StartupException(function.handler()
                        + " is not a method taking an APIGatewayProxyRequestEvent and returning an APIGatewayProxyResponseEvent"));
    }
}
