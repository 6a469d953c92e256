package dev.tokenservice.local.data;

import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * The signing key in a KMS emulator (moto, LocalStack) when AWS_ENDPOINT_URL_KMS points at one: created
 * once with the template's key spec, its id kept in the data folder, so tokens keep their kid across
 * restarts. An emulator that forgot the key (most keep keys in memory) gets a new one.
 */
public final class LocalKmsKey {

    static final String ID_FILE = "kms-key-id";
    static final String WRAPPING_ID_FILE = "kms-wrapping-key-id";

    private LocalKmsKey() {
    }

    public static String ensure(KmsClient kms, DataFolder data, String keySpec) {
        var remembered = data.read(ID_FILE);
        if (remembered.isPresent() && usable(kms, remembered.get())) {
            return remembered.get();
        }
        String keyId = kms.createKey(r -> r
                        .keySpec(keySpec)
                        .keyUsage(KeyUsageType.SIGN_VERIFY)
                        .description("token-service local signing key"))
                .keyMetadata().keyId();
        data.writePrivate(ID_FILE, keyId);
        if (remembered.isPresent()) {
            System.out.println("the KMS at the endpoint no longer knows the key " + remembered.get()
                    + "; created " + keyId + " (tokens signed before no longer verify)");
        }
        return keyId;
    }

    /** The symmetric key under which the `wrapped` mode's key pairs are generated, with rotation on as in AWS. */
    public static String ensureWrappingKey(KmsClient kms, DataFolder data) {
        var remembered = data.read(WRAPPING_ID_FILE);
        if (remembered.isPresent() && usable(kms, remembered.get())) {
            return remembered.get();
        }
        String keyId = kms.createKey(r -> r.keyUsage(KeyUsageType.ENCRYPT_DECRYPT)
                .description("token-service local key-wrapping key")).keyMetadata().keyId();
        kms.enableKeyRotation(r -> r.keyId(keyId));
        data.writePrivate(WRAPPING_ID_FILE, keyId);
        return keyId;
    }

    private static boolean usable(KmsClient kms, String keyId) {
        try {
            return kms.describeKey(r -> r.keyId(keyId)).keyMetadata().keyState() == KeyState.ENABLED;
        } catch (NotFoundException gone) {
            return false;
        }
    }
}
