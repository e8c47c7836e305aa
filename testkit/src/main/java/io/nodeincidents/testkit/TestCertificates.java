package io.nodeincidents.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;

import io.nodeincidents.broker.LocalKafka;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for one test run, so TLS is tried with a real handshake and no key is checked in: a CA of its
 * own, and a broker certificate it signed for {@code localhost} and {@code 127.0.0.1} (subject alternative names,
 * which Kafka clients verify by default). Written as the files a deployment uses:
 *
 * <ul>
 *   <li>{@link #caCertificatePem()}: the CA certificate in PEM, what clients give as {@code ssl.truststore.location}
 *       with {@code ssl.truststore.type=PEM} (as deploy/kubernetes/configmap.yaml does);</li>
 *   <li>{@link #trustStore()}: the same CA in a PKCS12 trust store, for {@code ssl.truststore.type=PKCS12};</li>
 *   <li>{@link #brokerKeyStore()}: the broker's key and certificate chain in PKCS12, for {@link #brokerTls()}.</li>
 * </ul>
 *
 * <p>Keys are EC P-256 (made in milliseconds), valid from an hour ago (clock skew) for a week. Each instance has its
 * own CA and password, so a client trusting one run's CA does not trust another's.
 */
public final class TestCertificates {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caCertificatePem;
    private final Path trustStore;
    private final Path brokerKeyStore;
    private final String password;

    private TestCertificates(Path caCertificatePem, Path trustStore, Path brokerKeyStore, String password) {
        this.caCertificatePem = caCertificatePem;
        this.trustStore = trustStore;
        this.brokerKeyStore = brokerKeyStore;
        this.password = password;
    }

    /** Makes a CA and a broker certificate and writes them into {@code dir} (created if missing). */
    public static TestCertificates create(Path dir) {
        byte[] secret = new byte[12];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        try {
            Files.createDirectories(dir);
            Instant now = Instant.now();
            Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
            Date notAfter = Date.from(now.plus(Duration.ofDays(7)));
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

            KeyPair caKeys = ecKeyPair();
            X500Name caName = new X500Name("CN=nodeincidents test CA " + password.substring(0, 8));
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), notBefore, notAfter,
                    caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCertificate = sign(ca, caKeys);

            KeyPair brokerKeys = ecKeyPair();
            X509v3CertificateBuilder broker = new JcaX509v3CertificateBuilder(caCertificate, serial(), notBefore,
                    notAfter, new X500Name("CN=localhost"), brokerKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, LocalKafka.HOST)}))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(brokerKeys.getPublic()));
            X509Certificate brokerCertificate = sign(broker, caKeys);

            Path pem = dir.resolve("ca.crt");
            try (Writer out = Files.newBufferedWriter(pem, StandardCharsets.US_ASCII);
                 JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(caCertificate);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCertificate);
            Path trustStore = store(trust, dir.resolve("truststore.p12"), password);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("broker", brokerKeys.getPrivate(), password.toCharArray(),
                    new Certificate[] {brokerCertificate, caCertificate});
            Path keyStore = store(keys, dir.resolve("broker.p12"), password);
            return new TestCertificates(pem, trustStore, keyStore, password);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write test certificates to " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot make test certificates: " + e.getMessage(), e);
        }
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256, RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException, CertIOException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
    }

    private static Path store(KeyStore store, Path file, String password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    /** The CA certificate, PEM: a client's trust store with {@code ssl.truststore.type=PEM}. */
    public Path caCertificatePem() {
        return caCertificatePem;
    }

    /** The CA certificate in a PKCS12 trust store, protected by {@link #password()}. */
    public Path trustStore() {
        return trustStore;
    }

    /** The broker's private key and certificate chain (broker, CA) in PKCS12, protected by {@link #password()}. */
    public Path brokerKeyStore() {
        return brokerKeyStore;
    }

    /** The password of both PKCS12 stores and of the key in the key store. */
    public String password() {
        return password;
    }

    /** An SSL listener of {@link LocalKafka} presenting the broker certificate (add SASL users to it if needed). */
    public LocalKafka.Tls brokerTls() {
        return LocalKafka.Tls.keyStore(brokerKeyStore, "PKCS12", password);
    }

    /** Client properties trusting this CA through the PEM file. */
    public Map<String, String> pemTrustProperties() {
        return Map.of("ssl.truststore.type", "PEM", "ssl.truststore.location", caCertificatePem.toString());
    }

    /** Client properties trusting this CA through the PKCS12 trust store. */
    public Map<String, String> pkcs12TrustProperties() {
        return Map.of("ssl.truststore.type", "PKCS12", "ssl.truststore.location", trustStore.toString(),
                "ssl.truststore.password", password);
    }
}
