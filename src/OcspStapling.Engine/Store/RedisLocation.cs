using StackExchange.Redis;

namespace OcspStapling.Engine.Store;

/// <summary>
/// A Redis store's URL: redis://[user[:password]@]host[:port][/db][?prefix=P], rediss:// for TLS (with &amp;ca=FILE
/// when the server's certificate is from a private CA). The password may (and should) come from
/// OCSPSTAPLE_REDIS_PASSWORD instead, so it never has to be on a command line; messages show the URL without it.
/// </summary>
internal sealed record RedisLocation(string Host, int Port, bool Tls, string? User, string? Password, int Database, string Prefix, string? CaFile, string Display)
{
    public const string PasswordVariable = "OCSPSTAPLE_REDIS_PASSWORD";
    public const string DefaultPrefix = "ocspstaple:";

    private BoundedRedisTunnel? _tunnel;

    /// <summary>The bounds every reply passes (issue 23); one per store, which also remembers why it cut one off.</summary>
    public BoundedRedisTunnel Tunnel => _tunnel ??= new BoundedRedisTunnel(this);

    public static RedisLocation Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
            throw Invalid(url, "it is not redis://host[:port][/db] or rediss://…");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]) is { Length: > 0 } u ? u : null;
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }
        password ??= Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var path = uri.AbsolutePath.Trim('/');
        var database = 0;
        if (path.Length > 0 && (!int.TryParse(path, out database) || database < 0))
            throw Invalid(url, $"'/{path}' is not a database number");
        var prefix = DefaultPrefix;
        string? ca = null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.Split('=', 2) is [var n, var v] ? (n, Uri.UnescapeDataString(v)) : (pair, "");
            switch (name)
            {
                case "prefix":
                    prefix = value;
                    break;
                case "ca":
                    ca = File.Exists(value) ? Path.GetFullPath(value) : throw Invalid(url, $"the CA file '{value}' does not exist");
                    break;
                default:
                    throw Invalid(url, $"'{name}' is not an option (prefix=…, ca=FILE)");
            }
        }
        var tls = uri.Scheme == "rediss";
        if (ca != null && !tls)
            throw Invalid(url, "ca= is for rediss:// (TLS)");
        var port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var display = $"{uri.Scheme}://{(user != null ? Uri.EscapeDataString(user) + "@" : "")}{uri.Host}:{port}/{database}{(prefix != DefaultPrefix ? "?prefix=" + Uri.EscapeDataString(prefix) : "")}";
        return new RedisLocation(uri.DnsSafeHost, port, tls, user, password, database, prefix, ca, display);
    }

    /// <summary>Fails fast: a command while Redis is away errs at once instead of queueing for seconds per site.</summary>
    public ConfigurationOptions Options()
    {
        var options = new ConfigurationOptions
        {
            User = User,
            Password = Password,
            // TLS is made by the tunnel, below the check of every reply (issue 23: bounded replies).
            Tunnel = Tunnel,
            DefaultDatabase = Database,
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 3000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
            ConnectRetry = 1,
            ClientName = "ocspstaple",
        };
        options.EndPoints.Add(Host, Port);
        return options;
    }

    private static StaplingException Invalid(string url, string why)
    {
        var shown = url.Contains('@') ? url[..(url.IndexOf("://", StringComparison.Ordinal) + 3)] + "…@" + url[(url.LastIndexOf('@') + 1)..] : url;
        return new StaplingException(FailureReason.InvalidArgument, shown, $"The store '{shown}' cannot be used: {why}; for example redis://cache.example.net:6379/0?prefix=ocspstaple:.");
    }
}
