/// Statuses whose responses end with their head, whatever their fields say (RFC 9112 §6.3):
/// 1xx, 204 No Content and 304 Not Modified.
public enum BodilessStatus {
    public static func contains(_ status: Int) -> Bool { status < 200 || status == 204 || status == 304 }
}
