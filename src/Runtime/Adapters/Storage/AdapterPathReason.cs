namespace Peft.Runtime.Adapters.Storage;

/// <summary>Why a client-supplied adapter path was refused. The gRPC layer maps these to status codes.</summary>
public enum AdapterPathReason
{
    /// <summary>Empty, too long, contains NUL, or has a ".." segment (refused before any normalisation).</summary>
    Invalid,

    /// <summary>An absolute path that is not under any configured root.</summary>
    OutsideRoots,

    /// <summary>No such directory under any root (or an adapter file is a link to nothing).</summary>
    NotFound,

    /// <summary>Under a root as written, but a symbolic link on the way (or an adapter file that is a link) leads
    /// outside every root.</summary>
    SymlinkEscape,
}
