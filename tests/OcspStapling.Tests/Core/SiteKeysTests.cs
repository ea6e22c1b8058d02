using OcspStapling.Engine.Sites;
using OcspStapling.Engine.Tls;
using OcspStapling.Tests.Support;

namespace OcspStapling.Tests.Core;

/// <summary>Where `listen --sites` looks for each site's private key, by the convention of the tool that wrote it.</summary>
public sealed class SiteKeysTests
{
    [Fact]
    public void Keys_are_found_by_certbot_acme_sh_haproxy_and_plain_file_conventions()
    {
        using var root = new TempDirectory();
        string Touch(params string[] parts)
        {
            var path = Path.Combine(new[] { root.Path }.Concat(parts).ToArray());
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
            return path;
        }

        var certbot = Touch("live", "shop", "fullchain.pem");
        Assert.Equal(Touch("live", "shop", "privkey.pem"), SiteKeys.KeyFile(SiteLayout.Certbot, certbot));
        var acme = Touch("acme", "shop.example_ecc", "fullchain.cer");
        Assert.Equal(Touch("acme", "shop.example_ecc", "shop.example.key"), SiteKeys.KeyFile(SiteLayout.AcmeSh, acme));
        var haproxy = Touch("haproxy", "site.pem");
        Assert.Null(SiteKeys.KeyFile(SiteLayout.Haproxy, haproxy)); // the key is inside the .pem
        Assert.Equal(Touch("haproxy", "site.pem.key"), SiteKeys.KeyFile(SiteLayout.Haproxy, haproxy));
        var plain = Touch("plain", "site.crt");
        Assert.Equal(Touch("plain", "site.key"), SiteKeys.KeyFile(SiteLayout.File, plain));
    }
}
