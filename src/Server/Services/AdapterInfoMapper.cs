using Google.Protobuf.WellKnownTypes;
using Peft.Protos.V1;
using Peft.Runtime.Adapters.Registry;

namespace Peft.Server.Services;

/// <summary>A registered <see cref="AdapterVersion"/> as <see cref="AdapterInfo"/>.</summary>
internal static class AdapterInfoMapper
{
    public static AdapterInfo Map(AdapterVersion version)
    {
        var info = new AdapterInfo
        {
            AdapterId = version.Id,
            PeftType = version.Facts.PeftType,
            Version = version.ContentHash,
            Rank = (uint)Math.Max(0, version.Facts.Rank),
            NumVirtualTokens = (uint)Math.Max(0, version.Facts.VirtualTokens),
            NumTasks = (uint)Math.Max(0, version.Facts.Tasks),
            SizeBytes = (ulong)Math.Max(0, version.Facts.SizeBytes),
            Tier = version.Tier switch
            {
                Runtime.Adapters.Registry.AdapterTier.Disk => Protos.V1.AdapterTier.Disk,
                Runtime.Adapters.Registry.AdapterTier.Host => Protos.V1.AdapterTier.Host,
                Runtime.Adapters.Registry.AdapterTier.Device => Protos.V1.AdapterTier.Device,
                _ => Protos.V1.AdapterTier.Unspecified,
            },
            LastUsed = Timestamp.FromDateTimeOffset(version.LastUsed),
            RequestsInFlight = (uint)Math.Max(0, version.RequestsInFlight),
            Path = version.Directory,
            RegisteredAt = Timestamp.FromDateTimeOffset(version.RegisteredAt),
        };
        info.TargetModules.Add(version.Facts.TargetModules);
        return info;
    }
}
