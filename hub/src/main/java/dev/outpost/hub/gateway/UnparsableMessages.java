package dev.outpost.hub.gateway;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a service answer a request message that is not valid protobuf with INVALID_ARGUMENT naming
 * the message type, where grpc-java would close the call with UNKNOWN ("Application error processing
 * RPC"). The request marshaller returns null instead of throwing, and the call is closed before the
 * service sees anything.
 */
final class UnparsableMessages {
    private static final Logger LOG = LoggerFactory.getLogger(UnparsableMessages.class);

    private UnparsableMessages() {
    }

    /** {@code service} with every method's requests checked this way. */
    static ServerServiceDefinition refusedIn(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        service.getMethods().forEach(method -> builder.addMethod(refusedIn(method)));
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> refusedIn(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> original = method.getMethodDescriptor();
        MethodDescriptor<Q, R> lenient = original.toBuilder()
                .setRequestMarshaller(new NullWhenUnparsable<>(original.getRequestMarshaller()))
                .build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        String type = original.getFullMethodName() + " request";
        return ServerMethodDefinition.create(lenient, (call, headers) -> new Refusing<>(call, handler.startCall(call, headers), type));
    }

    /** Parses with the original marshaller; null for bytes it cannot parse. */
    private record NullWhenUnparsable<T>(MethodDescriptor.Marshaller<T> delegate) implements MethodDescriptor.Marshaller<T> {
        @Override
        public InputStream stream(T value) {
            return delegate.stream(value);
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** Closes the call at the first unparsable message and forwards nothing after it. */
    private static final class Refusing<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, R> call;
        private final String type;
        private boolean refused;

        Refusing(ServerCall<Q, R> call, ServerCall.Listener<Q> delegate, String type) {
            super(delegate);
            this.call = call;
            this.type = type;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            if (message == null) {
                refused = true;
                LOG.warn("Refused a call from {}: the {} is not valid protobuf", call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), type);
                call.close(Status.INVALID_ARGUMENT.withDescription("the " + type + " is not a valid protobuf message"),
                        new Metadata());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }
    }
}
