/// The statuses that can end an exchange: a 1xx is interim and would leave the client waiting
/// for another response, so neither a publisher nor `Grip-Status` may give one.
public enum FinalStatus {
    public static let codes: ClosedRange<Int> = 200...599
}
