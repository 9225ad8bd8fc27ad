using System.Security.Cryptography;
using System.Text;

namespace Peft.Server.Security;

/// <summary>A configured API key, compared in constant time (over SHA-256 digests, so lengths leak nothing).</summary>
internal sealed class ApiKey(string key)
{
    public const string Header = "x-api-key";

    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static ApiKey? From(string? configured) => string.IsNullOrEmpty(configured) ? null : new ApiKey(configured);

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
