namespace OcspStapling.Bench;

/// <summary>
/// "A CA 50 ms away" (issue 25's definition, shared by the pipeline benchmark of issue 24 and the CLI's remote-CA
/// benchmark): N leaf certificates under one lab CA, each a PEM file (leaf then issuer) alone in
/// <see cref="CertificateDirectory"/>, whose AIA OCSP URL names a <see cref="DelayingFront"/> on loopback that adds the
/// distance to every answer of a real `openssl ocsp` responder (BenchPki's: delegated RSA-2048 signer, -nmin 60).
/// </summary>
internal sealed class RemoteCa : IAsyncDisposable
{
    private RemoteCa(BenchPki pki, DelayingFront front, string certificates)
    {
        Pki = pki;
        Front = front;
        CertificateDirectory = certificates;
        CertificateFiles = Directory.GetFiles(certificates, "*.pem").Order(StringComparer.Ordinal).ToList();
    }

    public BenchPki Pki { get; }

    public DelayingFront Front { get; }

    /// <summary>Holds the leaf files and nothing else, so `*.pem` there is exactly the certificates.</summary>
    public string CertificateDirectory { get; }

    public IReadOnlyList<string> CertificateFiles { get; }

    /// <summary>The URL the certificates name: the front's.</summary>
    public Uri Url => Front.Url;

    public static async Task<RemoteCa> CreateAsync(int count, TimeSpan distance)
    {
        DelayingFront? front = null;
        BenchPki pki;
        try
        {
            pki = await BenchPki.CreateAsync(count, responder => (front = DelayingFront.Start(responder, distance)).Url);
        }
        catch when (front != null)
        {
            await front.DisposeAsync();
            throw;
        }
        var certificates = Path.Combine(pki.Directory, "certs");
        Directory.CreateDirectory(certificates);
        foreach (var file in pki.LeafFiles)
            File.Move(file, Path.Combine(certificates, Path.GetFileName(file)));
        // BenchPki's readiness check went through the front; measurements start from here.
        front!.Reset();
        return new RemoteCa(pki, front, certificates);
    }

    public async ValueTask DisposeAsync()
    {
        await Front.DisposeAsync();
        await Pki.DisposeAsync();
    }
}
