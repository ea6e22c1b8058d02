using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OcspStapling.Engine.Tls;

namespace OcspStapling.Tests.Core;

/// <summary>How a listener picks a certificate for the server name a client sends.</summary>
public sealed class ServerNameTableTests
{
    [Fact]
    public void An_exact_name_wins_over_a_wildcard_and_unknown_or_missing_names_get_the_first_certificate()
    {
        using var first = Certificate("first.example.test");
        using var wildcard = Certificate("*.shop.example.test");
        using var exact = Certificate("www.shop.example.test", "shop.example.test");
        var table = new ServerNameTable<string>([(first, "first"), (wildcard, "wildcard"), (exact, "exact")]);

        Assert.Equal("exact", table.Pick("www.shop.example.test"));
        Assert.Equal("exact", table.Pick("WWW.Shop.Example.Test.")); // names are case-insensitive; a trailing dot is the same name
        Assert.Equal("exact", table.Pick("shop.example.test"));
        Assert.Equal("wildcard", table.Pick("api.shop.example.test"));
        Assert.Equal("first", table.Pick("a.b.shop.example.test")); // a wildcard covers one label only
        Assert.Equal("first", table.Pick("unknown.example.test"));
        Assert.Equal("first", table.Pick(null));
        Assert.Equal("first", table.Pick(""));
    }

    [Fact]
    public void The_first_certificate_to_claim_a_name_keeps_it_and_a_certificate_without_names_answers_by_its_common_name()
    {
        using var old = Certificate("site.example.test");
        using var renewedElsewhere = Certificate("site.example.test");
        using var noSan = Issue("legacy.example.test", Array.Empty<string>());
        var table = new ServerNameTable<string>([(old, "old"), (renewedElsewhere, "second"), (noSan, "legacy")]);

        Assert.Equal("old", table.Pick("site.example.test"));
        Assert.Equal("legacy", table.Pick("legacy.example.test"));
        Assert.Equal(new[] { "legacy.example.test" }, ServerNameTable<string>.DnsNames(noSan));
    }

    private static X509Certificate2 Certificate(params string[] names) => Issue(null, names);

    private static X509Certificate2 Issue(string? commonNameOnly, string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonNameOnly ?? names[0]}", key, HashAlgorithmName.SHA256);
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names)
                san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
        }
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
