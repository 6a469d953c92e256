package dev.tokenservice.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.tokenservice.local.failure.StartupException;
import dev.tokenservice.local.template.FunctionDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A function's handler called the way the Lambda Java runtime calls it, JSON in and JSON out: the class
 * made once by its no-argument constructor (the init phase); the method the template's Handler names,
 * a non-bridge method preferred and then the longest signature, a trailing Context counting one more (the
 * runtime's own order); the event read into the method's declared parameter type and the result written
 * back with the runtime's serialisation library (aws-lambda-java-serialization): its event serialisers for
 * the aws-lambda-java-events classes, its Jackson factory for every other type (a Map, a POJO, a String).
 */
public final class RuntimeHandler {

    private final FunctionDefinition function;
    private final Object instance;
    private final Method method;
    private final PojoSerializer<Object> input;
    private final PojoSerializer<Object> output;

    private RuntimeHandler(FunctionDefinition function, Object instance, Method method, PojoSerializer<Object> input,
            PojoSerializer<Object> output) {
        this.function = function;
        this.instance = instance;
        this.method = method;
        this.input = input;
        this.output = output;
    }

    /** Finds the method and its serialisers, then runs the init phase (the constructor). */
    public static RuntimeHandler load(FunctionDefinition function) {
        Class<?> type = HandlerInstances.handlerClass(function);
        Method method = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(function.handlerMethodName()))
                .filter(m -> takesAnEvent(m))
                .min(Comparator.comparing(Method::isBridge).thenComparing(m -> -weight(m)))
                .orElseThrow(() -> new StartupException(function.handler() + " is not a public method taking an event"
                        + " (and a Context); the local invoke runs POJO handlers, not stream handlers"));
        ClassLoader loader = type.getClassLoader();
        PojoSerializer<Object> input = method.getParameterCount() > 0 && !isContext(method.getParameterTypes()[0])
                ? serializerFor(method.getGenericParameterTypes()[0], loader) : null;
        PojoSerializer<Object> output = isVoid(method.getGenericReturnType()) ? null
                : serializerFor(method.getGenericReturnType(), loader);
        return new RuntimeHandler(function, HandlerInstances.instantiate(type, function), method, input, output);
    }

    public FunctionDefinition function() {
        return function;
    }

    /**
     * Invokes the handler on one event's JSON and returns the result's JSON ("null" for a void handler or a
     * null result, as Lambda answers). Whatever the handler throws reaches the caller unwrapped.
     */
    public String invoke(byte[] eventJson, Context context) throws Exception {
        Object event = input == null ? null : input.fromJson(new ByteArrayInputStream(eventJson));
        Object[] arguments = switch (method.getParameterCount()) {
            case 0 -> new Object[0];
            case 1 -> new Object[] {input == null ? context : event};
            default -> new Object[] {event, context};
        };
        Object result;
        try {
            result = method.invoke(instance, arguments);
        } catch (InvocationTargetException thrown) {
            throw thrown.getCause() instanceof Exception e ? e : new RuntimeException(thrown.getCause());
        }
        if (output == null || result == null) {
            return "null";
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        output.toJson(result, json);
        return json.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializerFor(Type type, ClassLoader loader) {
        if (type instanceof Class<?> eventClass && LambdaEventSerializers.isLambdaSupportedEvent(eventClass.getName())) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(eventClass, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    private static boolean takesAnEvent(Method method) {
        Class<?>[] parameters = method.getParameterTypes();
        return switch (parameters.length) {
            case 0, 1 -> true;
            case 2 -> isContext(parameters[1]) && !isContext(parameters[0]);
            default -> false;
        };
    }

    /** The runtime's ordering: longer signatures first, a trailing Context counted as one more parameter. */
    private static int weight(Method method) {
        Class<?>[] parameters = method.getParameterTypes();
        return parameters.length + (parameters.length > 0 && isContext(parameters[parameters.length - 1]) ? 1 : 0);
    }

    private static boolean isContext(Class<?> type) {
        return Context.class.isAssignableFrom(type);
    }

    private static boolean isVoid(Type type) {
        return Void.TYPE.equals(type) || Void.class.equals(type);
    }
}
