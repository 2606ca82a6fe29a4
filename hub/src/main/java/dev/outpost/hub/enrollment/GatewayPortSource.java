package dev.outpost.hub.enrollment;

/**
 * The port the agent gateway listens on, which issued join tokens tell the customer: the bound one,
 * so a hub configured with port 0 does not hand out 0. Implemented by the gateway.
 */
public interface GatewayPortSource {

    /** The gateway's listening port. */
    int port();
}
