//! Every piece of UI text, in English and Simplified Chinese, in one table.
//!
//! The locale is chosen on the server (the `penguin_lang` cookie, else `Accept-Language`)
//! and written into `<html lang>`; the browser starts from that attribute, so server and
//! client render the same text and hydration matches. Switching sets the cookie.

use leptos::prelude::*;
pub use penguin_protocol::Locale;

/// The cookie that remembers the user's choice.
pub const LOCALE_COOKIE: &str = "penguin_lang";

/// Declares [`Key`] and `Key::ALL` from one list, so a test can check that every key
/// is translated without a second list to keep in step.
macro_rules! keys {
    ($($key:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }
    };
}

keys! {
    AppTagline,
    NavSignIn,
    NavRegister,
    SwitchLanguage,
    HomeHeading,
    HomeIntro,
    ServerStatusHeading,
    CheckServer,
    Checking,
    ServerVersion,
    ServerDatabase,
    ServerSchema,
    ServerAccounts,
    SignInHeading,
    RegisterHeading,
    NotFoundHeading,
    NotFoundBody,
    BackHome,
    NavContacts,
    SignOut,
    Loading,
    Username,
    UsernameHint,
    DisplayName,
    Password,
    PasswordHint,
    ConfirmPassword,
    PasswordsDiffer,
    SignInButton,
    RegisterButton,
    LoginToRegister,
    RegisterToLogin,
    SignInRequired,
    GoToSignIn,
    ContactsHeading,
    FriendsHeading,
    GroupsHeading,
    FindPeople,
    SearchLabel,
    SearchButton,
    SearchResults,
    NoResults,
    AddFriend,
    Accept,
    Decline,
    CancelRequest,
    RelationMe,
    RelationFriend,
    RelationRequestSent,
    RelationBlocked,
    FriendRequestsHeading,
    IncomingRequests,
    OutgoingRequests,
    NoRequests,
    MyFriendsHeading,
    NoFriends,
    RemoveFriend,
    Block,
    Unblock,
    BlockedHeading,
    NoBlocked,
    ConfirmRemoveFriend,
    ConfirmBlock,
    MyGroupsHeading,
    NoGroups,
    CreateGroupHeading,
    GroupName,
    GroupDescription,
    MemberLimit,
    CreateGroupButton,
    JoinGroupHeading,
    InviteCode,
    JoinButton,
    MembersCount,
    YourRole,
    RoleOwner,
    RoleAdmin,
    RoleMember,
    You,
    GroupPageTitle,
    BackToContacts,
    GroupMembersHeading,
    NewInviteCode,
    InviteCodeHint,
    InviteFriendHeading,
    FriendToInvite,
    InviteButton,
    NoFriendsToInvite,
    MakeAdmin,
    RemoveAdmin,
    TransferOwnership,
    RemoveMember,
    ConfirmRemoveMember,
    ConfirmTransfer,
    LeaveGroup,
    ConfirmLeave,
    DisbandGroup,
    ConfirmDisband,
    SignInWithPassword,
    SignInWithCode,
    SignInWithCodeIntro,
    Email,
    EmailCode,
    EmailCodeHint,
    SendCode,
    CodeOnItsWay,
    RegisterWithEmail,
    RegisterWithEmailHint,
    EnterCodeOrClearEmail,
    NavAccount,
    AccountHeading,
    AdminHeading,
    AdminUsers,
    AdminNoUsers,
    AdminGroups,
    AdminNoGroups,
    AdminIsAdmin,
    AdminDisabled,
    AdminDisable,
    AdminEnable,
    AdminOwner,
    AdminDisabledUsers,
    AdminConnections,
    AdminMessagesToday,
    NoEmailYet,
    ChangeEmailHeading,
    ChangeEmailIntro,
    ConfirmCode,
    EmailConfirmed,
    ChatPageTitle,
    ChattingWith,
    ChatLink,
    ChatMessages,
    NoMessagesYet,
    MessageLabel,
    ChatComposerHint,
    SendButton,
    Sending,
    NotSent,
    Connecting,
    Reconnecting,
    LongPolling,
    IsTyping,
    Me,
    FriendOnline,
    TabRecent,
    UnreadCount,
    Today,
    Yesterday,
    NewMessages,
    LoadingOlder,
    HistoryStart,
    Retry,
    Sent,
    EmojiButton,
    EmojiPicker,
    MemberTotal,
    PickAChat,
    BackToList,
    FriendOffline,
    NewGroupLink,
    EnableNotifications,
    NewMessageFrom,
    TypingShort,
    NoConversations,
    NavChats,
    GroupDetailsLink,
    ContactsPanel,
    NotSentReason,
}

impl Key {
    pub fn text(self, locale: Locale) -> &'static str {
        use Key::*;
        use Locale::*;
        match (self, locale) {
            (AppTagline, En) => "Chat for teams, schools and clubs",
            (AppTagline, ZhCn) => "为团队、学校和社团打造的聊天",
            (NavSignIn, En) => "Sign in",
            (NavSignIn, ZhCn) => "登录",
            (NavRegister, En) => "Create account",
            (NavRegister, ZhCn) => "注册",
            // Each option names itself in its own language, as language pickers do.
            (SwitchLanguage, En) => "中文",
            (SwitchLanguage, ZhCn) => "English",
            (HomeHeading, En) => "Welcome to Penguin",
            (HomeHeading, ZhCn) => "欢迎使用 Penguin",
            (HomeIntro, En) => {
                "Your own chat server: friends and groups, messages in real time, nothing to install."
            }
            (HomeIntro, ZhCn) => "属于你自己的聊天服务器：好友与群组，实时消息，无需安装。",
            (ServerStatusHeading, En) => "Server",
            (ServerStatusHeading, ZhCn) => "服务器",
            (CheckServer, En) => "Check server",
            (CheckServer, ZhCn) => "检查服务器",
            (Checking, En) => "Checking…",
            (Checking, ZhCn) => "正在检查…",
            (ServerVersion, En) => "Version",
            (ServerVersion, ZhCn) => "版本",
            (ServerDatabase, En) => "Database",
            (ServerDatabase, ZhCn) => "数据库",
            (ServerSchema, En) => "Schema",
            (ServerSchema, ZhCn) => "数据结构版本",
            (ServerAccounts, En) => "Accounts",
            (ServerAccounts, ZhCn) => "账号数",
            (SignInHeading, En) => "Sign in",
            (SignInHeading, ZhCn) => "登录",
            (RegisterHeading, En) => "Create account",
            (RegisterHeading, ZhCn) => "注册账号",
            (NotFoundHeading, En) => "Page not found",
            (NotFoundHeading, ZhCn) => "页面不存在",
            (NotFoundBody, En) => "There is nothing at this address.",
            (NotFoundBody, ZhCn) => "这个地址没有内容。",
            (BackHome, En) => "Back to the start page",
            (BackHome, ZhCn) => "返回首页",
            (NavContacts, En) => "Contacts",
            (NavContacts, ZhCn) => "联系人",
            (SignOut, En) => "Sign out",
            (SignOut, ZhCn) => "退出登录",
            (Loading, En) => "Loading…",
            (Loading, ZhCn) => "加载中…",
            (Username, En) => "Username",
            (Username, ZhCn) => "用户名",
            (UsernameHint, En) => "3 to 32 letters, digits, '_', '.' or '-'.",
            (UsernameHint, ZhCn) => "3 到 32 个字母、数字、“_”、“.”或“-”。",
            (DisplayName, En) => "Display name",
            (DisplayName, ZhCn) => "昵称",
            (Password, En) => "Password",
            (Password, ZhCn) => "密码",
            (PasswordHint, En) => "At least 8 characters; not a common password.",
            (PasswordHint, ZhCn) => "至少 8 个字符，不能是常见密码。",
            (ConfirmPassword, En) => "Confirm password",
            (ConfirmPassword, ZhCn) => "确认密码",
            (PasswordsDiffer, En) => "The two passwords are not the same.",
            (PasswordsDiffer, ZhCn) => "两次输入的密码不一致。",
            (SignInButton, En) => "Sign in",
            (SignInButton, ZhCn) => "登录",
            (RegisterButton, En) => "Create account",
            (RegisterButton, ZhCn) => "注册",
            (LoginToRegister, En) => "No account yet? Register here",
            (LoginToRegister, ZhCn) => "还没有账号？在这里注册",
            (RegisterToLogin, En) => "I already have an account",
            (RegisterToLogin, ZhCn) => "我已经有账号了",
            (SignInRequired, En) => "Please sign in to see this page.",
            (SignInRequired, ZhCn) => "请登录后查看此页面。",
            (GoToSignIn, En) => "Go to the sign-in page",
            (GoToSignIn, ZhCn) => "前往登录页面",
            (ContactsHeading, En) => "Contacts",
            (ContactsHeading, ZhCn) => "联系人",
            (FriendsHeading, En) => "Friends",
            (FriendsHeading, ZhCn) => "好友",
            (GroupsHeading, En) => "Groups",
            (GroupsHeading, ZhCn) => "群组",
            (FindPeople, En) => "Find people",
            (FindPeople, ZhCn) => "查找用户",
            (SearchLabel, En) => "Username or display name",
            (SearchLabel, ZhCn) => "用户名或昵称",
            (SearchButton, En) => "Search",
            (SearchButton, ZhCn) => "搜索",
            (SearchResults, En) => "Search results",
            (SearchResults, ZhCn) => "搜索结果",
            (NoResults, En) => "Nobody found.",
            (NoResults, ZhCn) => "没有找到用户。",
            (AddFriend, En) => "Add friend",
            (AddFriend, ZhCn) => "加为好友",
            (Accept, En) => "Accept",
            (Accept, ZhCn) => "接受",
            (Decline, En) => "Decline",
            (Decline, ZhCn) => "拒绝",
            (CancelRequest, En) => "Cancel request",
            (CancelRequest, ZhCn) => "取消请求",
            (RelationMe, En) => "That's you",
            (RelationMe, ZhCn) => "这是你自己",
            (RelationFriend, En) => "Friends",
            (RelationFriend, ZhCn) => "已是好友",
            (RelationRequestSent, En) => "Request sent",
            (RelationRequestSent, ZhCn) => "已发送请求",
            (RelationBlocked, En) => "Blocked",
            (RelationBlocked, ZhCn) => "已屏蔽",
            (FriendRequestsHeading, En) => "Friend requests",
            (FriendRequestsHeading, ZhCn) => "好友请求",
            (IncomingRequests, En) => "Received",
            (IncomingRequests, ZhCn) => "收到的请求",
            (OutgoingRequests, En) => "Sent",
            (OutgoingRequests, ZhCn) => "发出的请求",
            (NoRequests, En) => "None.",
            (NoRequests, ZhCn) => "暂无。",
            (MyFriendsHeading, En) => "My friends",
            (MyFriendsHeading, ZhCn) => "我的好友",
            (NoFriends, En) => "No friends yet: find people above.",
            (NoFriends, ZhCn) => "还没有好友：在上方查找用户。",
            (RemoveFriend, En) => "Remove",
            (RemoveFriend, ZhCn) => "删除",
            (Block, En) => "Block",
            (Block, ZhCn) => "屏蔽",
            (Unblock, En) => "Unblock",
            (Unblock, ZhCn) => "取消屏蔽",
            (BlockedHeading, En) => "Blocked users",
            (BlockedHeading, ZhCn) => "已屏蔽的用户",
            (NoBlocked, En) => "Nobody is blocked.",
            (NoBlocked, ZhCn) => "没有屏蔽任何人。",
            (ConfirmRemoveFriend, En) => "Remove this friend?",
            (ConfirmRemoveFriend, ZhCn) => "确定删除该好友吗？",
            (ConfirmBlock, En) => {
                "Block this user? They will no longer be your friend and cannot reach you."
            }
            (ConfirmBlock, ZhCn) => "确定屏蔽该用户吗？对方将不再是你的好友，也无法联系你。",
            (MyGroupsHeading, En) => "My groups",
            (MyGroupsHeading, ZhCn) => "我的群",
            (NoGroups, En) => "You are not in any group yet.",
            (NoGroups, ZhCn) => "你还没有加入任何群。",
            (CreateGroupHeading, En) => "Create a group",
            (CreateGroupHeading, ZhCn) => "创建群",
            (GroupName, En) => "Group name",
            (GroupName, ZhCn) => "群名称",
            (GroupDescription, En) => "Description (optional)",
            (GroupDescription, ZhCn) => "群简介（可选）",
            (MemberLimit, En) => "Member limit (optional)",
            (MemberLimit, ZhCn) => "成员上限（可选）",
            (CreateGroupButton, En) => "Create group",
            (CreateGroupButton, ZhCn) => "创建",
            (JoinGroupHeading, En) => "Join with an invite code",
            (JoinGroupHeading, ZhCn) => "用邀请码加群",
            (InviteCode, En) => "Invite code",
            (InviteCode, ZhCn) => "邀请码",
            (JoinButton, En) => "Join",
            (JoinButton, ZhCn) => "加入",
            (MembersCount, En) => "Members",
            (MembersCount, ZhCn) => "成员",
            (YourRole, En) => "Your role",
            (YourRole, ZhCn) => "你的身份",
            (RoleOwner, En) => "Owner",
            (RoleOwner, ZhCn) => "群主",
            (RoleAdmin, En) => "Admin",
            (RoleAdmin, ZhCn) => "管理员",
            (RoleMember, En) => "Member",
            (RoleMember, ZhCn) => "成员",
            (You, En) => "(you)",
            (You, ZhCn) => "（你）",
            (GroupPageTitle, En) => "Group",
            (GroupPageTitle, ZhCn) => "群",
            (BackToContacts, En) => "Back to contacts",
            (BackToContacts, ZhCn) => "返回联系人",
            (GroupMembersHeading, En) => "Members",
            (GroupMembersHeading, ZhCn) => "群成员",
            (NewInviteCode, En) => "New code",
            (NewInviteCode, ZhCn) => "更换邀请码",
            (InviteCodeHint, En) => {
                "Share this code with people who should join; a new code makes the old one stop working."
            }
            (InviteCodeHint, ZhCn) => "把邀请码发给要加入的人；更换后旧邀请码立即失效。",
            (InviteFriendHeading, En) => "Invite a friend",
            (InviteFriendHeading, ZhCn) => "邀请好友",
            (FriendToInvite, En) => "Friend to invite",
            (FriendToInvite, ZhCn) => "要邀请的好友",
            (InviteButton, En) => "Invite",
            (InviteButton, ZhCn) => "邀请",
            (NoFriendsToInvite, En) => "All your friends are in this group already.",
            (NoFriendsToInvite, ZhCn) => "你的好友都已在群里。",
            (MakeAdmin, En) => "Make admin",
            (MakeAdmin, ZhCn) => "设为管理员",
            (RemoveAdmin, En) => "Remove admin",
            (RemoveAdmin, ZhCn) => "取消管理员",
            (TransferOwnership, En) => "Transfer ownership",
            (TransferOwnership, ZhCn) => "转让群主",
            (RemoveMember, En) => "Remove",
            (RemoveMember, ZhCn) => "移出群",
            (ConfirmRemoveMember, En) => "Remove this member from the group?",
            (ConfirmRemoveMember, ZhCn) => "确定将该成员移出群吗？",
            (ConfirmTransfer, En) => "Make this member the owner? You will become an admin.",
            (ConfirmTransfer, ZhCn) => "确定把群主转让给该成员吗？你将成为管理员。",
            (LeaveGroup, En) => "Leave group",
            (LeaveGroup, ZhCn) => "退出群",
            (ConfirmLeave, En) => "Leave this group?",
            (ConfirmLeave, ZhCn) => "确定退出该群吗？",
            (DisbandGroup, En) => "Disband group",
            (DisbandGroup, ZhCn) => "解散群",
            (ConfirmDisband, En) => "Disband this group for everyone? This cannot be undone.",
            (ConfirmDisband, ZhCn) => "确定为所有人解散该群吗？此操作无法撤销。",
            (SignInWithPassword, En) => "With username and password",
            (SignInWithPassword, ZhCn) => "用用户名和密码登录",
            (SignInWithCode, En) => "With an e-mail code",
            (SignInWithCode, ZhCn) => "用邮件验证码登录",
            (SignInWithCodeIntro, En) => {
                "No password needed: we mail a 6-digit code to the address on your account."
            }
            (SignInWithCodeIntro, ZhCn) => "无需密码：我们会把 6 位验证码发到你账号绑定的邮箱。",
            (Email, En) => "E-mail address",
            (Email, ZhCn) => "电子邮件地址",
            (EmailCode, En) => "Code from the e-mail",
            (EmailCode, ZhCn) => "邮件中的验证码",
            (EmailCodeHint, En) => "6 digits, valid for 10 minutes.",
            (EmailCodeHint, ZhCn) => "6 位数字，10 分钟内有效。",
            (SendCode, En) => "Send code",
            (SendCode, ZhCn) => "发送验证码",
            (CodeOnItsWay, En) => "If this address can receive mail, a code is on its way.",
            (CodeOnItsWay, ZhCn) => "如果该地址可以接收邮件，验证码已在发送途中。",
            (RegisterWithEmail, En) => "Register with a verified e-mail address",
            (RegisterWithEmail, ZhCn) => "用已验证的电子邮件地址注册",
            (RegisterWithEmailHint, En) => {
                "Optional. With an address you can also sign in with codes sent by e-mail."
            }
            (RegisterWithEmailHint, ZhCn) => "可选。绑定邮箱后，也可以用邮件验证码登录。",
            (EnterCodeOrClearEmail, En) => {
                "Enter the code sent to this address, or leave the e-mail address empty."
            }
            (EnterCodeOrClearEmail, ZhCn) => "请输入发到该地址的验证码，或将电子邮件地址留空。",
            (NavAccount, En) => "Account",
            (NavAccount, ZhCn) => "账号",
            (AdminHeading, En) => "Administration",
            (AdminHeading, ZhCn) => "管理",
            (AdminUsers, En) => "Accounts",
            (AdminUsers, ZhCn) => "账号",
            (AdminNoUsers, En) => "No accounts yet.",
            (AdminNoUsers, ZhCn) => "还没有账号。",
            (AdminGroups, En) => "Groups",
            (AdminGroups, ZhCn) => "群",
            (AdminNoGroups, En) => "No groups yet.",
            (AdminNoGroups, ZhCn) => "还没有群。",
            (AdminIsAdmin, En) => "administrator",
            (AdminIsAdmin, ZhCn) => "管理员",
            (AdminDisabled, En) => "disabled",
            (AdminDisabled, ZhCn) => "已停用",
            (AdminDisable, En) => "Disable",
            (AdminDisable, ZhCn) => "停用",
            (AdminEnable, En) => "Enable",
            (AdminEnable, ZhCn) => "启用",
            (AdminOwner, En) => "owner",
            (AdminOwner, ZhCn) => "群主",
            (AdminDisabledUsers, En) => "Disabled accounts",
            (AdminDisabledUsers, ZhCn) => "已停用账号",
            (AdminConnections, En) => "Connections (this server)",
            (AdminConnections, ZhCn) => "连接数（本服务器）",
            (AdminMessagesToday, En) => "Messages today (UTC)",
            (AdminMessagesToday, ZhCn) => "今日消息（UTC）",
            (AccountHeading, En) => "Your account",
            (AccountHeading, ZhCn) => "我的账号",
            (NoEmailYet, En) => "No e-mail address yet",
            (NoEmailYet, ZhCn) => "尚未绑定电子邮件地址",
            (ChangeEmailHeading, En) => "Add or change your e-mail address",
            (ChangeEmailHeading, ZhCn) => "添加或更改电子邮件地址",
            (ChangeEmailIntro, En) => {
                "We mail a code to the new address; it replaces the old one once you confirm it."
            }
            (ChangeEmailIntro, ZhCn) => "我们会向新地址发送验证码；确认后它将替换原地址。",
            (ConfirmCode, En) => "Confirm",
            (ConfirmCode, ZhCn) => "确认",
            (EmailConfirmed, En) => "Your e-mail address is confirmed.",
            (EmailConfirmed, ZhCn) => "你的电子邮件地址已确认。",
            (ChatPageTitle, En) => "Chat",
            (ChatPageTitle, ZhCn) => "聊天",
            // "{}" stands for the friend's display name.
            (ChattingWith, En) => "Chatting with {}",
            (ChattingWith, ZhCn) => "正在跟 {} 聊天",
            (ChatLink, En) => "Chat",
            (ChatLink, ZhCn) => "聊天",
            (ChatMessages, En) => "Messages",
            (ChatMessages, ZhCn) => "消息记录",
            (NoMessagesYet, En) => "No messages yet: say hello.",
            (NoMessagesYet, ZhCn) => "还没有消息：打个招呼吧。",
            (MessageLabel, En) => "Message",
            (MessageLabel, ZhCn) => "消息",
            (ChatComposerHint, En) => "Enter sends, Shift+Enter starts a new line.",
            (ChatComposerHint, ZhCn) => "按 Enter 发送，Shift+Enter 换行。",
            (SendButton, En) => "Send",
            (SendButton, ZhCn) => "发送",
            (Sending, En) => "Sending…",
            (Sending, ZhCn) => "发送中…",
            (NotSent, En) => "Not sent",
            (NotSent, ZhCn) => "未发送",
            (Connecting, En) => "Connecting…",
            (Connecting, ZhCn) => "正在连接…",
            (Reconnecting, En) => "Reconnecting…",
            (Reconnecting, ZhCn) => "正在重新连接…",
            (LongPolling, En) => "Connected by long polling (WebSockets are blocked)",
            (LongPolling, ZhCn) => "已通过长轮询连接（WebSocket 被阻止）",
            // "{}" stands for a display name.
            (IsTyping, En) => "{} is typing…",
            (IsTyping, ZhCn) => "{} 正在输入…",
            (Me, En) => "Me",
            (Me, ZhCn) => "我",
            (FriendOnline, En) => "online",
            (FriendOnline, ZhCn) => "在线",
            // "{}" stands for a number or a name, as in the English text.
            (TabRecent, En) => "Recent",
            (TabRecent, ZhCn) => "最近",
            (UnreadCount, En) => "{} unread",
            (UnreadCount, ZhCn) => "{} 条未读",
            (Today, En) => "Today",
            (Today, ZhCn) => "今天",
            (Yesterday, En) => "Yesterday",
            (Yesterday, ZhCn) => "昨天",
            (NewMessages, En) => "New messages",
            (NewMessages, ZhCn) => "有新消息",
            (LoadingOlder, En) => "Loading older messages…",
            (LoadingOlder, ZhCn) => "正在加载更早的消息…",
            (HistoryStart, En) => "This is the beginning of the conversation.",
            (HistoryStart, ZhCn) => "以上是全部消息。",
            (Retry, En) => "Retry",
            (Retry, ZhCn) => "重试",
            (Sent, En) => "Sent",
            (Sent, ZhCn) => "已发送",
            (EmojiButton, En) => "Emoji",
            (EmojiButton, ZhCn) => "表情",
            (EmojiPicker, En) => "Emoji",
            (EmojiPicker, ZhCn) => "表情",
            (MemberTotal, En) => "{} members",
            (MemberTotal, ZhCn) => "{} 位成员",
            (PickAChat, En) => "Pick a friend or group to start chatting.",
            (PickAChat, ZhCn) => "选择一位好友或一个群组开始聊天。",
            (BackToList, En) => "Back",
            (BackToList, ZhCn) => "返回",
            (FriendOffline, En) => "offline",
            (FriendOffline, ZhCn) => "离线",
            (NewGroupLink, En) => "New group",
            (NewGroupLink, ZhCn) => "新建群",
            (EnableNotifications, En) => "Enable notifications",
            (EnableNotifications, ZhCn) => "开启桌面通知",
            (NewMessageFrom, En) => "New message from {}",
            (NewMessageFrom, ZhCn) => "来自 {} 的新消息",
            (TypingShort, En) => "typing…",
            (TypingShort, ZhCn) => "正在输入…",
            (NoConversations, En) => "No conversations yet.",
            (NoConversations, ZhCn) => "还没有会话。",
            (NavChats, En) => "Chats",
            (NavChats, ZhCn) => "消息",
            (GroupDetailsLink, En) => "Group details",
            (GroupDetailsLink, ZhCn) => "群资料",
            (ContactsPanel, En) => "Contacts",
            (ContactsPanel, ZhCn) => "联系人",
            (NotSentReason, En) => "Not sent: {}",
            (NotSentReason, ZhCn) => "未发送：{}",
        }
    }
}

/// The current locale, shared by the whole app through context.
#[derive(Debug, Clone, Copy)]
pub struct LocaleSignal(pub RwSignal<Locale>);

/// Creates the locale signal from the request (server) or the rendered page (browser).
pub fn provide_locale() -> RwSignal<Locale> {
    let locale = RwSignal::new(initial_locale());
    provide_context(LocaleSignal(locale));
    locale
}

pub fn use_locale() -> RwSignal<Locale> {
    use_context::<LocaleSignal>()
        .map(|LocaleSignal(signal)| signal)
        .unwrap_or_else(|| RwSignal::new(Locale::default()))
}

/// A reactive translator: `let t = use_i18n(); view! { {move || t(Key::HomeHeading)} }`.
pub fn use_i18n() -> impl Fn(Key) -> &'static str + Copy + Send + Sync + 'static {
    let locale = use_locale();
    move |key: Key| key.text(locale.get())
}

/// Switches the language and remembers it for a year.
pub fn set_locale(locale: Locale) {
    use_locale().set(locale);
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        use wasm_bindgen::JsCast;
        if let Some(document) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        {
            let cookie = format!(
                "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                locale.tag()
            );
            let _ = document.set_cookie(&cookie);
        }
    }
}

#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Locale::default();
    };
    locale_from_headers(&parts.headers)
}

/// The language of the request being served: the app's signal when a page is rendering,
/// else (a server function called directly) the request's headers.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    match use_context::<LocaleSignal>() {
        Some(LocaleSignal(signal)) => signal.get_untracked(),
        None => initial_locale(),
    }
}

/// Cookie first (an explicit choice), then the browser's languages, then English.
#[cfg(feature = "ssr")]
pub fn locale_from_headers(headers: &http::HeaderMap) -> Locale {
    let from_cookie =
        crate::api::request::cookie_value(headers, LOCALE_COOKIE).and_then(Locale::from_tag);
    from_cookie
        .or_else(|| {
            headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

#[cfg(all(not(feature = "ssr"), any(feature = "hydrate", feature = "csr")))]
fn initial_locale() -> Locale {
    let document = web_sys::window().and_then(|w| w.document());
    // Hydration: the server already chose and wrote it into <html lang>.
    let rendered = document
        .as_ref()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
        .and_then(|tag| Locale::from_tag(&tag));
    // Client-only (Trunk) builds have no server render: use the browser's language.
    rendered
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|tag| Locale::from_tag(&tag))
        })
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate", feature = "csr")))]
fn initial_locale() -> Locale {
    Locale::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated() {
        for &key in Key::ALL {
            let en = key.text(Locale::En);
            let zh = key.text(Locale::ZhCn);
            assert!(!en.is_empty() && !zh.is_empty(), "{key:?}");
            assert_ne!(en, zh, "{key:?} is not translated");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn cookie_beats_accept_language() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT_LANGUAGE,
            "zh-CN,zh;q=0.9".parse().unwrap(),
        );
        assert_eq!(locale_from_headers(&headers), Locale::ZhCn);
        headers.insert(
            http::header::COOKIE,
            "other=1; penguin_lang=en".parse().unwrap(),
        );
        assert_eq!(locale_from_headers(&headers), Locale::En);
        assert_eq!(locale_from_headers(&http::HeaderMap::new()), Locale::En);
    }
}
