// SPDX-License-Identifier: MIT
// Test-only contracts for l2watch's local test world (tests/world/bridges.py).
//
// A generic lock/release bridge of the kind run by an off-chain relayer
// (Ronin, Harmony Horizon, Multichain): on L1 an escrow that releases tokens
// on the word of an operator key, on L2 a bridge that mints a wrapped token on
// the word of the same operator and burns it to go back. Nothing on L1 checks
// that a release matches a burn: whoever holds the operator key can empty the
// escrow, which is what a watchtower has to notice.
pragma solidity 0.8.15;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { Pausable } from "@openzeppelin/contracts/security/Pausable.sol";
import { AccessControl } from "@openzeppelin/contracts/access/AccessControl.sol";

/// @notice L1 side: locks tokens for L2 and releases them when the operator says
///         a burn happened on L2.
contract EscrowBridge is AccessControl, Pausable {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Message ids already released (replay protection, the only check).
    mapping(bytes32 => bool) public released;

    /// @notice Number of locks so far; part of each lock's message id.
    uint256 public lockNonce;

    event Locked(
        bytes32 indexed messageId, address indexed token, address indexed sender, address recipient, uint256 amount
    );
    event Released(bytes32 indexed messageId, address indexed token, address indexed recipient, uint256 amount);

    constructor(address admin, address operator, address guardian) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    /// @notice Pulls `amount` of `token` from the caller (approve first) into escrow.
    function lock(address token, uint256 amount, address l2Recipient)
        external
        whenNotPaused
        returns (bytes32 messageId)
    {
        require(amount > 0, "EscrowBridge: zero amount");
        messageId = keccak256(abi.encode(block.chainid, address(this), lockNonce));
        lockNonce += 1;
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        emit Locked(messageId, token, msg.sender, l2Recipient, amount);
    }

    /// @notice Releases escrowed tokens for a burn on L2 with this message id.
    function release(bytes32 messageId, address token, address recipient, uint256 amount)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        require(!released[messageId], "EscrowBridge: message already released");
        released[messageId] = true;
        IERC20(token).safeTransfer(recipient, amount);
        emit Released(messageId, token, recipient, amount);
    }

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }
}

/// @notice L2 side: the wrapped token. Only its bridge (the deployer) mints and burns.
contract WrappedToken is ERC20 {
    address public immutable bridge;
    address public immutable l1Token;

    constructor(string memory name_, string memory symbol_, address l1Token_) ERC20(name_, symbol_) {
        bridge = msg.sender;
        l1Token = l1Token_;
    }

    modifier onlyBridge() {
        require(msg.sender == bridge, "WrappedToken: only the bridge");
        _;
    }

    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
    }

    function burn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }
}

/// @notice L2 side: mints the wrapped token for locks on L1 (operator) and burns it
///         to go back to L1 (anyone, for themselves).
contract MintBridge is AccessControl, Pausable {
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice The wrapped token, created by this bridge.
    WrappedToken public immutable token;

    /// @notice The L1 token the wrapped token stands for (and is released as).
    address public immutable l1Token;

    /// @notice Lock message ids already minted.
    mapping(bytes32 => bool) public minted;

    /// @notice Number of burns so far; part of each burn's message id.
    uint256 public burnNonce;

    event Minted(bytes32 indexed messageId, address indexed recipient, uint256 amount);
    event BurnInitiated(
        bytes32 indexed messageId, address indexed token, address indexed sender, address recipient, uint256 amount
    );

    constructor(
        address admin,
        address operator,
        address guardian,
        address l1Token_,
        string memory name_,
        string memory symbol_
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
        _grantRole(GUARDIAN_ROLE, guardian);
        l1Token = l1Token_;
        token = new WrappedToken(name_, symbol_, l1Token_);
    }

    /// @notice Mints for the L1 lock `messageId`.
    function mint(bytes32 messageId, address recipient, uint256 amount)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        require(!minted[messageId], "MintBridge: message already minted");
        minted[messageId] = true;
        token.mint(recipient, amount);
        emit Minted(messageId, recipient, amount);
    }

    /// @notice Burns `amount` of the caller's wrapped tokens to be released on L1 to `l1Recipient`.
    function burn(uint256 amount, address l1Recipient) external whenNotPaused returns (bytes32 messageId) {
        require(amount > 0, "MintBridge: zero amount");
        messageId = keccak256(abi.encode(block.chainid, address(this), burnNonce));
        burnNonce += 1;
        token.burn(msg.sender, amount);
        emit BurnInitiated(messageId, l1Token, msg.sender, l1Recipient, amount);
    }

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }
}
