package dev.tokenservice.dpop;

/**
 * A verified DPoP proof (RFC 9449 §4): the JWK SHA-256 thumbprint (RFC 7638) of the key that signed it, which a
 * token bound to it carries as cnf.jkt.
 */
public record DpopProof(String keyThumbprint) {
}
