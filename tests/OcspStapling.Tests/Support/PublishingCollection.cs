namespace OcspStapling.Tests.Support;

/// <summary>Tests that run `dotnet publish` on the repository's projects share obj/ folders, so they take turns.</summary>
[CollectionDefinition(Name)]
public sealed class PublishingCollection
{
    public const string Name = "dotnet publish";
}
